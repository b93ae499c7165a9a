/** Words the generator builds names from: Latin and non-Latin text, as real catalogues have. */
export const FIRST_NAMES = ['Ana', 'Ben', 'Chloé', 'Dmitri', 'Emeka', 'Fatima', 'Giulia', 'Hiro', 'Ines', 'Jonas', 'Kofi', 'Lena', 'Mateo', 'Nora', 'Óscar', 'Priya', 'Quinn', 'Rosa', 'Søren', 'Tariq', 'Uma', 'Vera', 'Wei', 'Ximena', 'Yusuf', 'Zoë', '陈', 'Алёна', 'محمد', 'Ιωάννα'];
export const LAST_NAMES = ['Silva', 'Okafor', 'Müller', 'Tanaka', 'García', 'Nowak', 'Haddad', 'Kim', 'Rossi', 'Dubois', 'Ivanova', 'Nguyen', 'Jensen', 'Patel', "O'Brien", '王', 'Смирнов'];
export const COUNTRIES = ['US', 'GB', 'DE', 'FR', 'BR', 'JP', 'IN', 'NG', 'MX', 'SE', 'KR', 'ES', 'IT', 'CA', 'AU'];
export const GENRES = ['pop', 'rock', 'hip-hop', 'jazz', 'classical', 'electronic', 'r-n-b', 'country', 'latin', 'k-pop', 'metal', 'folk', 'reggae', 'blues', 'ambient'];
export const TITLE_WORDS = ['Midnight', 'Echo', 'River', 'Neon', 'Summer', 'Gold', 'Ghost', 'Velvet', 'Fire', 'Paper', 'Ocean', 'Static', 'Honey', 'Thunder', 'Glass', 'Moon', 'Wild', 'Silver', 'Dream', 'Heart', '夜', '光', 'Сердце', 'Corazón', 'Été'];
export const ARTIST_WORDS = ['The Lanterns', 'Nova', 'Kid Atlas', 'Marisol', 'Black Orchid', 'DJ Sora', 'Los Vientos', 'Aurora Lane', 'Big Theo', 'Mirrors', '少女時代', 'Кино', 'Sigur Echo', 'Yemi'];
/** Valid but hostile text: quotes, commas, line breaks, backslashes, emoji, CJK, spaces at the edges. */
export const HOSTILE_NAMES = [
  'He said "hello", then left',
  'Line one\nline two',
  'Windows\r\nbreak',
  'C:\\music\\new',
  '\\N',
  ' padded both sides ',
  '""',
  'Ünïcödé 🎵🔥 中文歌曲',
  'comma, inside, "and quotes"',
  "'single' \"double\" `back`",
];
