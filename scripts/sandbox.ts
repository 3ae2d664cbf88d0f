/**
 * `npm run sandbox`: the CDS Hooks sandbox with the four policy drugs in its medication list, served on loopback
 * beside the demo FHIR server and this service, and the URL to open.
 *
 * The sandbox comes from its source at the pinned commit (default: the tarball in ../shared/cds-hooks-sandbox/; a
 * local checkout of github.com/cds-hooks/sandbox works too), gets scripts/sandbox/medication-list.patch (the four
 * drugs added to its RxNorm picker), and is built with its own toolchain (`npm ci --ignore-scripts && npm run
 * build`, dependencies from the npm registry, about a minute). The build is kept in var/sandbox-build/ and reused.
 *
 * Usage: npm run sandbox [-- --source <tarball or checkout>] [--build <ready build>] [--rebuild] [--build-only]
 * Ports: SANDBOX_PORT (8000), FHIR_PORT (8080), PORT (3000). SANDBOX_TRUST=1 trusts the sandbox's JWT issuer.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isSandboxBuild, startStack } from './lib/sandbox-stack.js';

const SHARED = '../shared/cds-hooks-sandbox';
const PATCH = resolve('scripts/sandbox/medication-list.patch');
const CACHE = resolve('var/sandbox-build');

const { values } = parseArgs({
  options: {
    source: { type: 'string', default: join(SHARED, 'source-3b7e255.tar.gz') },
    build: { type: 'string' },
    rebuild: { type: 'boolean', default: false },
    'build-only': { type: 'boolean', default: false },
  },
});

function run(command: string, args: string[], cwd: string): void {
  console.log(`$ ${command} ${args.join(' ')}    (in ${cwd})`);
  execFileSync(command, args, { cwd, stdio: 'inherit' });
}

/** Unpacks or copies the source, patches the medication list, builds; returns the build folder. */
export function buildSandbox(source: string, out: string): string {
  if (!existsSync(source)) throw new Error(`no sandbox source at ${source} (a .tar.gz from \`git archive\`, or a checkout of github.com/cds-hooks/sandbox)`);
  const work = mkdtempSync(join(tmpdir(), 'cds-hooks-sandbox-'));
  try {
    if (statSync(source).isDirectory()) {
      cpSync(source, work, { recursive: true, filter: (path) => !/[/\\](node_modules|\.git)$/.test(path) });
    } else {
      run('tar', ['xzf', resolve(source)], work);
    }
    run('patch', ['-p1', '--forward', '-i', PATCH], work);
    run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], work);
    run('npm', ['run', 'build'], work);
    const built = join(work, 'build');
    if (!isSandboxBuild(built)) throw new Error(`the build did not produce ${built}/index.html and app.bundle.js`);
    rmSync(out, { recursive: true, force: true });
    cpSync(built, out, { recursive: true });
    // The sandbox's public key set, so a JWT-protected service can be pointed at a copy (see README, Security).
    if (existsSync(join(work, 'keys', 'jwk-keypair.json')) && !existsSync(join(out, '.well-known', 'jwks.json'))) {
      console.log('note: the build has no .well-known/jwks.json');
    }
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

let buildDir: string;
if (values.build !== undefined) {
  buildDir = resolve(values.build);
  if (!isSandboxBuild(buildDir)) throw new Error(`${buildDir} is not a sandbox build (no index.html and app.bundle.js)`);
} else if (!values.rebuild && isSandboxBuild(CACHE)) {
  buildDir = CACHE;
  console.log(`using the sandbox built earlier in ${CACHE} (--rebuild to build it again)`);
} else {
  buildDir = buildSandbox(values.source, CACHE);
  console.log(`sandbox built into ${CACHE}`);
}
if (values['build-only']) process.exit(0);

const stack = await startStack({
  buildDir,
  trustSandbox: process.env.SANDBOX_TRUST === '1',
  logLevel: process.env.LOG_LEVEL ?? 'info',
  varDir: resolve('var'),
  ports: { sandbox: Number(process.env.SANDBOX_PORT ?? 8000), fhir: Number(process.env.FHIR_PORT ?? 8080), service: Number(process.env.PORT ?? 3000) },
});
const show = (source: string): string | undefined => stack.patients.find((p) => p.source === source)?.patientId;
console.log(`\nCDS Hooks sandbox  ${stack.sandboxUrl}
FHIR server        ${stack.fhirUrl}
CDS service        ${stack.discoveryUrl}${process.env.SANDBOX_TRUST === '1' ? ' (JWT from the sandbox required)' : ' (open)'}

Open this (order-sign, the demo patient Ixa Demo, ixabepilone):
  ${stack.pageUrl('ixa-bsc-001', 'order-sign')}
Other charts: change patientId= to one of
  ${['centene-ixazomib/mm-5a-len-dex-active-ixazomib-added', 'bcbsnc-inotuzumab/newly-diagnosed-all-no-relapse', 'bsc-blinatumomab/1a-i-consolidation-single-agent']
    .map((s) => `${show(s) ?? '?'}  (${s})`).join('\n  ')}
  (every scenario patient: npm run demo:fhir -- --list). Ctrl-C stops all three.`);

const stop = (): void => {
  void stack.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
