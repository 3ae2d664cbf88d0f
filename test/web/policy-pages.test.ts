import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { loadPolicies } from '../../src/policy/load.js';
import type { Policy } from '../../src/policy/types.js';
import { escapeHtml } from '../../src/web/html.js';
import { PAGE_CSP } from '../../src/web/csp.js';
import { buildApp } from '../protocol/helpers.js';

const registry = loadPolicies('policies');
const policies = (): Policy[] => registry.all();

describe('GET /policies/{id}', () => {
  it('every policy file names a document the service keeps a copy of', () => {
    const { app } = buildApp({}, { policies });
    // every file of policies/, however many there are
    expect(registry.all()).toHaveLength(readdirSync('policies').filter((f) => f.endsWith('.json') && !f.startsWith('_')).length);
    return Promise.all(registry.all().map(async (p) => {
      const res = await request(app).get(`/policies/${p.id}`).expect(200);
      expect(res.text).not.toContain('is not available on this server');
      expect(res.text).toContain('<pre class="document">');
    }));
  });

  it('shows the summary, the criteria table with source clauses and trees, the dose limits and the document', async () => {
    const { app } = buildApp({}, { policies });
    const res = await request(app).get('/policies/bsc-ixabepilone').expect(200).expect('content-type', /text\/html/);
    const page = res.text;
    const policy = registry.get('bsc-ixabepilone')!;
    expect(page).toContain(`<h1>${escapeHtml(policy.title)}</h1>`);
    expect(page).toContain('Blue Shield of California');
    expect(page).toContain('Ixabepilone (Ixempra)');
    expect(page).toContain('3Q2023');
    expect(page).toContain('last reviewed 3Q2023; next review 3Q2024');
    expect(page).toMatch(/<dd id="pa-required">Yes/);
    expect(page).toContain('indefinitely');
    // criteria: the indication row, a nested leaf with its clause and test
    expect(page).toContain('id="rule-bsc-ixa-bc"');
    expect(page).toContain('<code>bsc-ixa-dx</code>');
    expect(page).toContain(escapeHtml('000 §2 ICD-10 list'));
    expect(page).toMatch(/<code>\$\.diagnoses\.icd10<\/code> includes any of <code>C50\.011/);
    expect(page).toMatch(/<strong>ALL of:<\/strong>[\s\S]*<ul>[\s\S]*<li class="leaf">/);
    // dose limits
    expect(page).toMatch(/<table class="dose">[\s\S]*up to 40 mg\/m²[\s\S]*at most 1 administration in 21 days/);
    // the document itself
    expect(page).toContain('All requests for Ixempra® (ixabepilone) must be sent for clinical review');
    expect(res.headers['content-security-policy']).toBe(PAGE_CSP);
  });

  it('says when a policy sets no dose limit (inotuzumab names none)', async () => {
    const { app } = buildApp({}, { policies });
    const res = await request(app).get('/policies/bcbsnc-inotuzumab').expect(200);
    expect(res.text).toContain('The document sets no dose limit.');
  });

  it('builds absolute links from PUBLIC_BASE_URL when set, else from the request', async () => {
    const configured = buildApp({ publicBaseUrl: 'https://pa.example.org/cds' }, { policies }).app;
    const a = await request(configured).get('/policies/um-ixabepilone').set('Host', 'internal:3000').expect(200);
    expect(a.text).toContain('<link rel="canonical" href="https://pa.example.org/cds/policies/um-ixabepilone">');
    expect(a.text).toContain('href="https://pa.example.org/cds/policies/um-ixabepilone.json"');

    const fromRequest = buildApp({}, { policies }).app;
    const b = await request(fromRequest).get('/policies/um-ixabepilone').set('Host', 'cds.example.org').expect(200);
    expect(b.text).toContain('<link rel="canonical" href="http://cds.example.org/policies/um-ixabepilone">');
  });

  it('serves the policy data at /policies/{id}.json', async () => {
    const { app } = buildApp({ publicBaseUrl: 'https://pa.example.org' }, { policies });
    const res = await request(app).get('/policies/centene-ixazomib.json').expect(200).expect('content-type', /json/);
    expect(res.body).toEqual(registry.get('centene-ixazomib'));
    expect(res.headers.link).toBe('<https://pa.example.org/policies/centene-ixazomib>; rel="alternate"');
  });

  it('answers 404 for an unknown policy: an HTML page for browsers, an OperationOutcome otherwise', async () => {
    const { app } = buildApp({}, { policies });
    const page = await request(app).get('/policies/no-such-policy').set('Accept', 'text/html').expect(404);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain('no policy &quot;no-such-policy&quot;');
    const json = await request(app).get('/policies/no-such-policy.json').expect(404);
    expect(json.body.resourceType).toBe('OperationOutcome');
    const api = await request(app).get('/policies/no-such-policy').set('Accept', 'application/json').expect(404);
    expect(api.body.issue[0].code).toBe('not-found');
    const odd = await request(app).get('/policies/%3Cscript%3E').set('Accept', 'text/html').expect(404);
    expect(odd.text).not.toContain('<script>');
    expect(odd.text).toContain('&lt;script&gt;');
  });

  it('escapes every policy and document string', async () => {
    const evil = '<script>alert(1)</script>';
    const base = structuredClone(registry.get('bsc-ixabepilone')!);
    const policy: Policy = {
      ...base,
      id: 'evil',
      title: `Title ${evil}`,
      payer: { id: 'p', name: `Payer ${evil}` },
      document: { ...base.document, file: 'evil.txt', reference: `"><img src=x onerror=alert(1)>` },
      priorAuthorization: { required: true, source: evil, reading: evil },
      readings: [{ source: evil, reading: evil }],
      documentation: [evil],
      indications: base.indications.map((ind) => ({ ...ind, label: evil, source: evil })),
    };
    const dir = mkdtempSync(join(tmpdir(), 'policy-docs-'));
    writeFileSync(join(dir, 'evil.txt'), `Document ${evil} & more`);
    const { app } = buildApp({}, { policies: () => [policy], documentsDir: dir });
    const res = await request(app).get('/policies/evil').expect(200);
    expect(res.text).not.toContain('<script>');
    expect(res.text).not.toContain('<img');
    expect(res.text).toContain('Title &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(res.text).toContain('Document &lt;script&gt;alert(1)&lt;/script&gt; &amp; more');
  });

  it('says so when the document file is missing, and serves nothing outside the documents folder', async () => {
    const base = structuredClone(registry.get('um-ixabepilone')!);
    const policy: Policy = { ...base, document: { ...base.document, file: '../../package.json' } };
    const { app } = buildApp({}, { policies: () => [policy] });
    const res = await request(app).get('/policies/um-ixabepilone').expect(200);
    expect(res.text).toContain('is not available on this server');
    expect(res.text).not.toContain('oncology-pa-cds');
  });

  it('has no policies when none are wired', async () => {
    const { app } = buildApp();
    await request(app).get('/policies/bsc-ixabepilone.json').expect(404);
  });
});
