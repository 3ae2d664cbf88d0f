/**
 * A FHIR R4 server on loopback seeded from fhir-resources/ (bundles' entries; CDS Hooks request files' prefetch and
 * the non-draft resources of their draftOrders), for trying the service's FHIR fallback by hand or from the sandbox.
 * Usage: npm run demo:fhir   (FHIR_PORT, default 8080)
 */
import { loadResourceFiles, startFhirServer } from '../test/support/fhir-server.js';

const port = Number(process.env.FHIR_PORT ?? '8080');
const resources = loadResourceFiles('fhir-resources');
const server = await startFhirServer({ resources, port });
console.log(`FHIR server with ${resources.length} resources at ${server.url}`);

const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
