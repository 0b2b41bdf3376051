-- Reserved: number 4 belongs to a migration of a parallel change; this file holds its place until it lands.
SELECT 1;
