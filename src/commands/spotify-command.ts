import type { Command } from 'commander';
import { loadConfig } from '../core/config';
import { intFlag } from './command-flags';
import { LOGIN_SCOPES, spotifyLogin } from '../sources/spotify/spotify-login';
import { readSpotifySettings } from '../sources/spotify/spotify-settings';

export function addSpotifyCommand(program: Command): void {
  const spotify = program.command('spotify').description('Spotify helpers');
  spotify
    .command('login')
    .description(`get a refresh token for user data (scopes: ${LOGIN_SCOPES.join(' ')})`)
    .option('--timeout <seconds>', 'how long to wait for the browser', intFlag('--timeout', 10, 3600), 300)
    .addHelpText(
      'after',
      '\nOpen the printed URL in a browser, log in as the Spotify user, and approve. The redirect lands on\n' +
        '[spotify] redirect_uri (default http://127.0.0.1:8888/callback; register it in the app settings).\n' +
        'Put the printed token in the environment as SPOTIFY_REFRESH_TOKEN (it expires 6 months after consent).',
    )
    .action(async (flags: { timeout: number }) => {
      const settings = readSpotifySettings(loadConfig());
      const refreshToken = await spotifyLogin(settings, {
        timeoutMs: flags.timeout * 1000,
        onAuthorizeUrl: (url) => {
          console.log('Open this URL in a browser, log in and approve:\n');
          console.log(`  ${url}\n`);
          console.log(`Waiting for the redirect to ${settings.redirectUri} …`);
        },
      });
      console.log('\nPut this in the environment (Secrets Manager in production):\n');
      console.log(`SPOTIFY_REFRESH_TOKEN=${refreshToken}`);
    });
}
