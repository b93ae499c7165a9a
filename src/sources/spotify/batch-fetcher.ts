import type { Logger } from '../../core/log';
import { JsonShape } from '../../core/json-shape';
import { SpotifyHttpError, type SpotifyApi } from './spotify-api';
import { readBatch } from './spotify-objects';

export interface BatchFetcherOptions<T> {
  /** Plural name, used in messages and as the batch response key: `albums`. */
  name: string;
  /** Ids per batch request (Spotify's maximum for the endpoint). */
  batchSize: number;
  /** `/albums` (batch: `?ids=`) and `/albums/{id}` (single). */
  path: string;
  read: (j: JsonShape, value: unknown, path: string) => T;
  query?: Record<string, string>;
  /** A deprecated endpoint: when even the single form answers 403/404, the data is unavailable. */
  deprecated?: boolean;
}

/**
 * Fetches objects by id: full batches where the app may call the batch endpoint, one request per
 * id once it answers 403/404 (Development Mode apps, since February 2026), logged once. Every id is
 * requested at most once per run; unknown ids (null in a batch, 404 alone) are simply absent.
 */
export class BatchFetcher<T> {
  private readonly cache = new Map<string, Promise<T | null>>();
  private mode: 'batch' | 'single' | 'unavailable' = 'batch';

  constructor(
    private readonly api: SpotifyApi,
    private readonly log: Logger,
    private readonly options: BatchFetcherOptions<T>,
  ) {}

  /** Stores an object obtained elsewhere (e.g. a full artist from the follow list). */
  prime(id: string, value: T): void {
    if (!this.cache.has(id)) this.cache.set(id, Promise.resolve(value));
  }

  async getMany(ids: Iterable<string>): Promise<Map<string, T>> {
    const wanted = [...new Set(ids)];
    const fresh = wanted.filter((id) => !this.cache.has(id));
    for (let i = 0; i < fresh.length; i += this.options.batchSize) {
      const chunk = fresh.slice(i, i + this.options.batchSize);
      const results = this.fetchChunk(chunk);
      chunk.forEach((id, k) => {
        const value = results.then((values) => values[k]);
        value.catch(() => undefined); // awaited below; a failure must not also surface as unhandled
        this.cache.set(id, value);
      });
    }
    const values = await Promise.all(wanted.map((id) => this.cache.get(id)!));
    const out = new Map<string, T>();
    wanted.forEach((id, i) => {
      const value = values[i];
      if (value !== null) out.set(id, value);
    });
    return out;
  }

  /**
   * The first request of each form is a probe: others wait for its outcome, so a refused batch or
   * a deprecated endpoint costs one request, not one per chunk or id in flight.
   */
  private batchProbe?: Promise<unknown>;
  private singleProbe?: Promise<unknown>;

  private async fetchChunk(ids: string[]): Promise<(T | null)[]> {
    if (this.mode === 'batch' && this.batchProbe) await this.batchProbe;
    if (this.mode === 'batch') {
      const attempt = this.fetchBatch(ids);
      this.batchProbe ??= attempt.catch(() => undefined);
      try {
        return await attempt;
      } catch (error) {
        if (!(error instanceof SpotifyHttpError) || (error.status !== 403 && error.status !== 404)) throw error;
        // A deprecated endpoint refused in batch is refused one id at a time too: one probe, not two.
        if (this.options.deprecated) {
          if (this.markUnavailable()) {
            this.log.warn(`Spotify ${this.options.path} is unavailable to this app (${error.status}); skipping ${this.options.name} for the rest of the run`);
          }
          return ids.map(() => null);
        }
        if (this.mode === 'batch') {
          this.mode = 'single';
          this.log.warn(`Spotify refuses the batch endpoint ${this.options.path}?ids= (${error.status}); fetching ${this.options.name} one id at a time for the rest of the run`);
        }
      }
    }
    return Promise.all(ids.map((id) => this.fetchOneAfterProbe(id)));
  }

  private async fetchOneAfterProbe(id: string): Promise<T | null> {
    if (this.singleProbe) {
      await this.singleProbe;
      return this.fetchOne(id);
    }
    const attempt = this.fetchOne(id);
    this.singleProbe = attempt.catch(() => undefined);
    return attempt;
  }

  private async fetchBatch(ids: string[]): Promise<(T | null)[]> {
    const endpoint = `GET ${this.options.path}?ids=`;
    const body = await this.api.get(this.options.path, { ...this.options.query, ids: ids.join(',') }, endpoint);
    const j = new JsonShape(`Spotify ${endpoint}`);
    const list = readBatch(j, body, this.options.name, 'response');
    if (list.length !== ids.length) j.fail(`response.${this.options.name}`, `${ids.length} entries, one per id`, `${list.length} entries`);
    return list.map((value, i) => (value === null ? null : this.options.read(j, value, `response.${this.options.name}[${i}]`)));
  }

  /** True the first time only, so the switch is logged once. */
  private markUnavailable(): boolean {
    const first = this.mode !== 'unavailable';
    this.mode = 'unavailable';
    return first;
  }

  private async fetchOne(id: string): Promise<T | null> {
    if (this.mode === 'unavailable') return null;
    const endpoint = `GET ${this.options.path}/{id}`;
    try {
      const body = await this.api.get(`${this.options.path}/${encodeURIComponent(id)}`, this.options.query ?? {}, endpoint);
      return this.options.read(new JsonShape(`Spotify ${endpoint}`), body, 'response');
    } catch (error) {
      if (!(error instanceof SpotifyHttpError)) throw error;
      if (this.options.deprecated && (error.status === 403 || error.status === 404)) {
        if (this.markUnavailable()) {
          this.log.warn(`Spotify ${this.options.path} is unavailable to this app (${error.status}); skipping ${this.options.name} for the rest of the run`);
        }
        return null;
      }
      if (error.status === 404) return null;
      throw error;
    }
  }
}
