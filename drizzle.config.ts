import { defineConfig } from 'drizzle-kit';
import { loadDatabaseSettings } from './src/core/db-settings';

// The same settings the app uses: DATABASE_URL for a server, else the embedded database's folder.
const { url, embeddedDataDir } = loadDatabaseSettings();

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/*/schema/*.schema.ts',
  out: './drizzle',
  casing: 'snake_case',
  ...(url ? { dbCredentials: { url } } : { driver: 'pglite', dbCredentials: { url: embeddedDataDir } }),
  strict: true,
  verbose: true,
});
