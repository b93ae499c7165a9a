import { col, defineTable } from '../core/table';

/** Tables of the distrokid job, under raw/distrokid/. */

export const streamsDaily = defineTable({
  source: 'distrokid',
  name: 'streams_daily',
  description:
    'Daily streams per store from the DistroKid stats pages (chart data embedded in the page): the account total (item_type NULL), and per track and per album where the job reads those views. Sum one grain at a time: a track row is part of its album row and of the account total.',
  columns: [
    col('date', 'date', 'Day of the streams.', false),
    col('store', 'string', 'Store: spotify (the picker value "streams"), applemusic, or another picker value.', false),
    col('artist', 'string', 'Artist, when the page names one; NULL for the whole account (the real stats pages).'),
    col('track', 'string', 'Track title as the track picker shows it, on track rows; NULL otherwise.'),
    col('streams', 'integer', 'Streams that day.', false),
    col('item_type', 'string', 'track | album: the stats page of one track or album (?type=track / ?type=album); NULL for the account total (?type=all).'),
    col('item_id', 'string', "DistroKid's id of the track or album (the picker option's id); NULL for the account total."),
    col('album', 'string', 'Album title as the album picker shows it, on album rows; NULL otherwise.'),
    col('isrc', 'string', 'ISRC of the track (the track picker\'s value): joins Spotify tracks.isrc and earnings.isrc. NULL on album and account rows.'),
    col('upc', 'string', 'UPC of the release, where the picker gives one.'),
  ],
  // item_type and item_id are NULL on account rows, as on rows written before they existed, so a
  // day re-landed by a newer run replaces the older row instead of adding a second one.
  primaryKey: ['date', 'store', 'artist', 'item_type', 'item_id'],
  // A snapshot: every run re-reads the last 365 days (past days are revised), so the run's rows go
  // to one file under the run's logical day instead of 365 day partitions; the ANALYTICS view keeps
  // the latest row per key.
  partitionBy: null,
  dedupeWithinRun: true,
});

export const earnings = defineTable({
  source: 'distrokid',
  name: 'earnings',
  description: 'Rows of the DistroKid earnings report ("See Excruciating Detail" TSV), both known layouts.',
  columns: [
    col('row_hash', 'string', 'sha256 of the line and its occurrence in the report: identical lines in one report are distinct sales; the same report downloaded again gives the same keys.', false),
    col('reporting_date', 'date', 'When the store reported it.', false),
    col('sale_month', 'date', 'First day of the month of the sale.', false),
    col('store', 'string', 'Store.', false),
    col('artist', 'string', 'Artist.'),
    col('title', 'string', 'Song or album title.'),
    col('isrc', 'string', 'ISRC (empty on album rows).'),
    col('upc', 'string', 'UPC.'),
    col('quantity', 'integer', 'Units (streams, downloads); may be zero or negative.'),
    col('team_percentage', 'number', 'Share of the team, percent.'),
    col('item_type', 'string', 'Song/Album (older layout) or Source Type (newer).'),
    col('country', 'string', 'Country of sale.'),
    col('songwriter_royalties_withheld_usd', 'number', 'Songwriter royalties withheld.'),
    col('earnings_usd', 'number', 'Earnings in USD; may be negative.', false),
    col('date_inserted', 'date', 'When DistroKid added the row (newer layout).'),
    col('recoup_usd', 'number', 'Amount recouped (newer layout).'),
    col('extra', 'json', 'Columns neither layout knows, by header name.'),
    col('report_file', 'string', 'Downloaded file name.'),
    col('report_line', 'integer', 'Line of the report.'),
  ],
  primaryKey: ['row_hash'],
  partitionBy: null,
  // Every line of a report is its own sale (keys include the occurrence): nothing to merge in a run.
  dedupeWithinRun: false,
});

export const distrokidTables = [streamsDaily, earnings] as const;
