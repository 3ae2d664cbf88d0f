/** Never hang a signing, never contact a server that is not allowed, never send the token anywhere else. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataUnavailableError, gatherChart } from '../../src/gather/index.js';
import { startFhirServer, type RunningFhirServer } from '../support/fhir-server.js';
import { demoChart, hookRequest, prefetchFor, searchset } from './helpers.js';

describe('a FHIR server that never answers', () => {
  let server: RunningFhirServer;
  beforeAll(async () => {
    server = await startFhirServer({ hang: true, recordRequests: true });
  });
  afterAll(async () => server.close());

  it('resolves by the deadline with every fetched key unavailable', async () => {
    const started = performance.now();
    // a deadline long enough for every query to reach the server on a loaded machine; the point is "does not hang"
    const result = await gatherChart(hookRequest({ fhirServer: server.url }), { deadlineMs: 1000 });
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(5000); // generous: not timer precision
    expect(server.requests.length).toBeGreaterThanOrEqual(8);
    const keys = result.unavailable.filter((u) => u.reason === 'timeout').map((u) => u.key).sort();
    // the draft order's requester is the user: its role comes with the practitionerRole key, not read twice
    expect(keys).toEqual([
      'claimResponses',
      'conditions',
      'coverage',
      'medicationAdministrations',
      'medicationRequests',
      'observations',
      'patient',
      'practitionerRole',
    ]);
    expect(result.patient).toBeUndefined();
    expect(result.draftOrders).toHaveLength(1);
  });

  it('times a single query out before the overall deadline', async () => {
    const started = performance.now();
    const prefetch = { ...prefetchFor(demoChart()), practitioner: searchset([]) };
    const result = await gatherChart(hookRequest({ fhirServer: server.url, prefetch }), {
      deadlineMs: 5000,
      queryTimeoutMs: 200,
    });
    expect(performance.now() - started).toBeLessThan(2500);
    // the second round (payer, role's Practitioner) hit the per-query timeout
    expect(result.unavailable.map((u) => u.reason)).toEqual(['timeout', 'timeout']);
    expect(result.observations).toHaveLength(7);
  });
});

describe('the fhirServer allowlist', () => {
  let server: RunningFhirServer;
  beforeAll(async () => {
    server = await startFhirServer({ resources: demoChart(), recordRequests: true });
  });
  afterAll(async () => server.close());

  it('lets an allowed server be used', async () => {
    const result = await gatherChart(hookRequest({ fhirServer: server.url }), { fhirServerAllowlist: [server.url] });
    expect(result.patient).toBeDefined();
  });

  it('refuses a server not on it without sending a single request', async () => {
    const before = server.requests.length;
    const prefetch = prefetchFor(demoChart(), ['patient', 'coverage', 'conditions', 'observations', 'medicationRequests']);
    const result = await gatherChart(hookRequest({ fhirServer: server.url, prefetch }), {
      fhirServerAllowlist: ['https://ehr.example.org/fhir'],
    });
    expect(server.requests.length).toBe(before);
    expect(result.unavailable).toContainEqual(expect.objectContaining({ key: 'claimResponses', reason: 'refused' }));
    expect(result.unavailable.every((u) => u.reason === 'refused')).toBe(true);
  });

  it('answers DataUnavailableError when needed keys would have to come from a refused server', async () => {
    const before = server.requests.length;
    const request = hookRequest({ fhirServer: server.url, prefetch: prefetchFor(demoChart(), ['patient']) });
    await expect(gatherChart(request, { fhirServerAllowlist: ['http://127.0.0.1:1/fhir'] })).rejects.toBeInstanceOf(DataUnavailableError);
    expect(server.requests.length).toBe(before);
  });
});

describe('the access token goes to fhirServer only', () => {
  let elsewhere: RunningFhirServer;
  let ehr: RunningFhirServer;
  let redirector: Server;
  let redirectorUrl = '';
  beforeAll(async () => {
    elsewhere = await startFhirServer({ resources: demoChart(), recordRequests: true });
    // The EHR's paging links point at another host (another port is another origin).
    ehr = await startFhirServer({ resources: demoChart(), recordRequests: true, pageSize: 2, linkBase: elsewhere.url });
    redirector = createServer((req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}${(req.url ?? '/').replace(/^\/fhir/, '')}` });
      res.end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    redirectorUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/fhir`;
  });
  afterAll(async () => {
    await ehr.close();
    await elsewhere.close();
    await new Promise((resolve) => redirector.close(resolve));
  });

  it('does not follow a next link to another origin', async () => {
    const result = await gatherChart(hookRequest({ fhirServer: ehr.url }), {});
    expect(elsewhere.requests).toEqual([]);
    expect(ehr.requests.length).toBeGreaterThan(0);
    // first pages were read; the rest is reported, not fetched elsewhere
    expect(result.observations).toHaveLength(2);
    expect(result.unavailable).toContainEqual(expect.objectContaining({ key: 'observations', reason: 'refused' }));
  });

  it('does not follow a redirect to another origin', async () => {
    const result = await gatherChart(hookRequest({ fhirServer: redirectorUrl }), { deadlineMs: 1000 });
    expect(elsewhere.requests).toEqual([]);
    // eight keys (the requester's role is the user's, asked once): each answered 302, none followed
    expect(result.unavailable.filter((u) => u.reason === 'error')).toHaveLength(8);
  });

  it('does not read an absolute reference on another server', async () => {
    const prefetch = prefetchFor(demoChart());
    const result = await gatherChart(
      hookRequest({
        fhirServer: ehr.url,
        prefetch,
        drafts: [
          {
            resourceType: 'MedicationRequest',
            id: 'draft-x',
            status: 'draft',
            intent: 'order',
            subject: { reference: 'Patient/ixa-bsc-001' },
            medicationReference: { reference: `${elsewhere.url}/Medication/med-ixabepilone-15` },
          },
        ],
      }),
      {},
    );
    expect(elsewhere.requests).toEqual([]);
    expect(result.medications).toEqual([]);
  });
});
