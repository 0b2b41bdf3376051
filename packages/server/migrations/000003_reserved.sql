-- Reserved: number 3 belongs to the tenant-integrations tables, which land separately. This file
-- only keeps the numbering without a gap until they do, and is replaced by them.
SELECT 1;
