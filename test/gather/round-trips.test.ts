/**
 * One round trip without prefetch: the first-round queries ask with `_include` for what the chart's references
 * point at (the payer Organization, the history's Medications, the authorization's Claim, the role's Practitioner)
 * and read the draft orders' own references (their Medication, the requester's role) at the same time; a second
 * round goes only to what is still missing. Counted on the benchmark's FHIR stub (which honours `_include`, as
 * HAPI and most EHR servers do), the same server `npm run bench` times.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatherChart } from '../../src/gather/index.js';
import type { HookRequest } from '../../src/protocol/types.js';
import { StubFhir, startStubFhirServer, type RunningStub } from '../../scripts/lib/stub-fhir-server.js';
import { syntheticChart } from '../../scripts/lib/synthetic-chart.js';

class RecordingStub extends StubFhir {
  readonly urls: string[] = [];
  override answer(pathAndQuery: string, base: string, pageSize: number | undefined): { status: number; body: string } {
    this.urls.push(pathAndQuery);
    return super.answer(pathAndQuery, base, pageSize);
  }
}

describe('gathering without prefetch from a server that honours _include', () => {
  const chart = syntheticChart(50);
  const stub = new RecordingStub(chart.resources);
  let server: RunningStub;
  beforeAll(async () => {
    server = await startStubFhirServer(stub, { delayMs: 0 });
  });
  afterAll(async () => server.close());

  it('asks every question in the first round and reads nothing by reference afterwards', async () => {
    const request = syntheticChart(50, { prefetch: false, fhirServer: server.url }).request as unknown as HookRequest;
    const result = await gatherChart(request, {});
    const reads = stub.urls.filter((u) => /^\/fhir\/[A-Za-z]+\/[^?]+$/.test(u));
    // the Patient is a read by id in the first round; nothing else is read by reference
    expect(reads.filter((u) => !u.startsWith('/fhir/Patient/'))).toEqual([]);
    expect(stub.urls.some((u) => u.includes('_include=Coverage:payor'))).toBe(true);
    expect(result.unavailable).toEqual([]);
    expect(result.coverages).toHaveLength(1);
    expect(result.organizations.length + result.practitioners.length).toBeGreaterThan(0);
  });
});
