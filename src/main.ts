/**
 * `npm start`: WEB_CONCURRENCY workers (default: the number of cores) sharing the port, see src/cluster.ts;
 * WEB_CONCURRENCY=1 runs the server in this process, without a primary.
 */
import cluster from 'node:cluster';
import { EXIT_CONFIG_ERROR, runPrimary, webConcurrency, type PrimarySettings } from './cluster.js';
import { ConfigError, loadConfig } from './config.js';

/** Loaded only where a server runs, so the primary stays small (no policies, schemas or pipeline). */
async function serve(): Promise<void> {
  const { startServer } = await import('./server.js');
  await startServer();
}

async function main(): Promise<void> {
  if (!cluster.isPrimary) {
    await serve();
    return;
  }
  let workers: number;
  let settings: PrimarySettings;
  try {
    workers = webConcurrency();
    // Checked here too, so a bad setting stops the service once instead of crashing every worker in turn.
    const config = loadConfig();
    settings = { logLevel: config.logLevel, ...(config.redisUrl !== undefined && { redisUrl: config.redisUrl }) };
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`configuration error: ${err.message}\n`);
      process.exit(EXIT_CONFIG_ERROR);
    }
    throw err;
  }
  if (workers === 1) await serve();
  else runPrimary(workers, settings);
}

await main();
