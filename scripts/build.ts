/**
 * Bundles the action into dist/: what the runner downloads and starts (`node dist/index.js`).
 *
 *   npx tsx scripts/build.ts [dir]     (default dist; check-dist.sh builds into a scratch dir)
 *
 * esbuild, as ESM with code splitting: what loads at start is only what every command needs to
 * reach its first decision (the inputs, the summary), and each command's stages load with the
 * command (the dynamic imports in src/commands/), and each AWS client and command with its first
 * call (src/aws/, src/fleet/), so a `plan` never compiles the rollout's AWS SDK clients
 * nor an invalid input Octokit. Linked
 * source maps (without the sources) turn a failure's stack into src/ file:line. Same sources,
 * same bytes: chunk names are content hashes and the licenses file is sorted, so check-dist can
 * diff a fresh build against the committed one.
 */
import { build, type Metafile, type Plugin } from 'esbuild';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '..');
/** Where esbuild lays the bundle out: source map paths are relative to it, whatever `target` is. */
const dist = join(root, 'dist');
const target = resolve(root, process.argv[2] ?? 'dist');

/**
 * Our bundled CommonJS dependencies call require() and read __dirname; an ES module has neither,
 * so every chunk gets them back, bound to its own file (all chunks live in dist/).
 */
const COMMONJS_SHIM = [
  "import { createRequire as __createRequire } from 'node:module';",
  'const require = __createRequire(import.meta.url);',
  'const __dirname = import.meta.dirname;',
].join(' ');

/**
 * @actions/core imports @actions/http-client (and with it undici, 0.8 MB) for getIDToken alone,
 * which the action never calls. The package only declares things at load, so telling esbuild it
 * has no side effects lets it drop the whole import when nothing of it is used; @actions/github,
 * which does use it, still gets all of it.
 */
const httpClientIsPure: Plugin = {
  name: 'http-client-is-pure',
  setup(plugin) {
    plugin.onResolve({ filter: /^@actions\/http-client(\/|$)/ }, async (args) => {
      if (args.pluginData === 'resolving') return undefined;
      const resolved = await plugin.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: 'resolving',
      });
      return { ...resolved, sideEffects: false };
    });
  },
};

/** Builds as if into dist/ and writes the files into `target`: the same bytes wherever they land. */
async function bundle(): Promise<Metafile> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/index.ts'],
    outdir: dist,
    write: false,
    bundle: true,
    platform: 'node',
    // The runner starts node24; the tests also run the bundle on the machine's Node 20.
    target: 'node20',
    format: 'esm',
    splitting: true,
    // Flat: main.ts finds the bundled stack relative to its own chunk (dist/../terraform).
    chunkNames: '[name]-[hash]',
    // ESM builds of the AWS SDK and Octokit: their unused commands and schemas are tree-shaken.
    mainFields: ['module', 'main'],
    // Full minification: unminified identifiers cost the plan ~0.4 MiB of its 60 MiB budget; a
    // mapped stack still names src/ files and lines (the function names are the minified ones).
    minify: true,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    banner: { js: COMMONJS_SHIM },
    plugins: [httpClientIsPure],
    metafile: true,
    logLevel: 'warning',
  });
  for (const file of result.outputFiles) {
    const path = join(target, relative(dist, file.path));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.contents);
  }
  return result.metafile;
}

interface PackageInfo {
  name: string;
  version: string;
  license: string;
  text: string;
}

function packageRoot(file: string): string | undefined {
  let dir = dirname(resolve(root, file));
  while (dir.startsWith(join(root, 'node_modules'))) {
    if (existsSync(join(dir, 'package.json'))) {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (manifest.name) return dir;
    }
    dir = dirname(dir);
  }
  return undefined;
}

function licenseText(dir: string): string {
  const file = readdirSync(dir)
    .sort()
    .find((name) => /^(licen[cs]e|copying|notice)/i.test(name));
  return file ? readFileSync(join(dir, file), 'utf8').trim() : '(no license file in the package)';
}

function packageInfo(dir: string): PackageInfo {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
    license?: string;
  };
  return {
    name: manifest.name,
    version: manifest.version,
    license: manifest.license ?? 'UNKNOWN',
    text: licenseText(dir),
  };
}

/** One section per bundled third-party package (name@version), sorted: the file is deterministic. */
function thirdPartyLicenses(metafile: Metafile): string {
  const roots = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, usage] of Object.entries(output.inputs)) {
      if (usage.bytesInOutput === 0) continue;
      const dir = packageRoot(input);
      if (dir) roots.add(dir);
    }
  }
  const packages = new Map<string, PackageInfo>();
  for (const dir of roots) {
    const info = packageInfo(dir);
    packages.set(`${info.name}@${info.version}`, info);
  }
  return [...packages.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'en'))
    .map(([id, info]) => `${id}\n${info.license}\n${info.text}\n`)
    .join('\n');
}

async function main(): Promise<void> {
  // Stale chunks from an earlier build would otherwise linger beside the new ones.
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const metafile = await bundle();
  writeFileSync(join(target, 'licenses.txt'), thirdPartyLicenses(metafile));
  // The bundle is ESM; the repository's own package.json (CommonJS) must not decide how node reads it.
  writeFileSync(join(target, 'package.json'), `${JSON.stringify({ type: 'module' }, null, 2)}\n`);
  const entry = metafile.outputs['dist/index.js'];
  const chunks = Object.keys(metafile.outputs).filter((file) => file.endsWith('.js')).length;
  console.log(
    `${relative(root, target) || '.'}/index.js: ${((entry?.bytes ?? 0) / 1024).toFixed(0)} KiB entry, ${chunks} chunks`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
