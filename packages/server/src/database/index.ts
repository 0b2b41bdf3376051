/** The server's database helpers: its schema, its migrations and how to apply them. */
export { migrateServer, quoteIdentifier, serverMigrations, serverMigrationsDirectory, serverSchema } from './server-database.js';
