/**
 * The framework floor for the benchmark: what the design's HTTP framework alone costs on this machine. Express
 * with its JSON body parser (the same limit and media types as the service), answering every hook call with the
 * service's real answer to the same request, serialised per request. No middleware, no checks, no evaluation:
 * the difference from the bare `node:http` floor is express; the difference from the service is the service.
 *
 *   tsx scripts/lib/express-floor.ts <port> <answer.json>
 */
import { readFileSync } from 'node:fs';
import express from 'express';
import { defaultConfig } from '../../src/config.js';
import { isEntryPoint } from '../../src/entry-point.js';
import { closeOnSigterm } from './local-server.js';

export function expressFloorApp(answer: unknown): express.Application {
  const { bodyLimit } = defaultConfig({});
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.post('/cds-services/:id', express.json({ limit: bodyLimit, type: ['application/json', 'application/*+json'] }), (_req, res) => {
    res.status(200).json(answer);
  });
  app.get('/', (_req, res) => {
    res.status(200).json({});
  });
  return app;
}

if (isEntryPoint(import.meta.url)) {
  const [portArg, answerFile] = process.argv.slice(2);
  if (portArg === undefined || answerFile === undefined) {
    process.stderr.write('usage: express-floor.ts <port> <answer.json>\n');
    process.exit(2);
  }
  const server = expressFloorApp(JSON.parse(readFileSync(answerFile, 'utf8'))).listen(Number(portArg), '127.0.0.1');
  closeOnSigterm(server);
}
