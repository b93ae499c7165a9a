import { col, defineTable } from '../core/table';

/** Tables of the distrokid job, under raw/distrokid/. */

export const streamsDaily = defineTable({
  source: 'distrokid',
  name: 'streams_daily',
  description: 'Daily streams per store from the DistroKid stats pages (chart data embedded in the page).',
  columns: [
    col('date', 'date', 'Day of the streams.', false),
    col('store', 'string', 'Store: spotify (the picker value "streams"), applemusic, or another picker value.', false),
    col('artist', 'string', 'Artist, when the page names one; NULL for the whole account (the real stats pages).'),
    col('track', 'string', 'Track, when the page breaks streams down by track; NULL for the artist total.'),
    col('streams', 'integer', 'Streams that day.', false),
  ],
  primaryKey: ['date', 'store', 'artist', 'track'],
  partitionBy: 'date',
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
