/**
 * The floor for the benchmark: what any JSON-over-HTTP service pays on this machine. A bare `node:http` server
 * that reads the whole body, parses it as JSON, and answers 200 with a JSON document serialised per request —
 * the service's real answer to the same request, so the answer has the same size.
 *
 *   tsx scripts/lib/floor-server.ts <port> <answer.json>
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { closeOnSigterm } from './local-server.js';

const [portArg, answerFile] = process.argv.slice(2);
if (portArg === undefined || answerFile === undefined) {
  process.stderr.write('usage: floor-server.ts <port> <answer.json>\n');
  process.exit(2);
}
const answer: unknown = JSON.parse(readFileSync(answerFile, 'utf8'));

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    if (chunks.length > 0) JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const text = JSON.stringify(answer);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
});
server.listen(Number(portArg), '127.0.0.1');
closeOnSigterm(server);
