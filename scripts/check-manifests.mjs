// `pnpm check:manifests [--fix]`: every public package names its license, repository (with its
// directory), homepage, bug tracker and Node range as the root package.json does — the one place
// the repository URL and the tested Node range are written. `--fix` writes the expected fields.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectedPackageFields, manifestProblems, withFields } from './release/manifests.mjs';
import { publicPackages, readWorkspace } from './release/workspace.mjs';

const workspace = await readWorkspace(process.cwd());
const { baseBranch } = JSON.parse(readFileSync(join(workspace.rootDir, '.changeset', 'config.json'), 'utf8'));

let problems;
try {
  if (process.argv.includes('--fix')) {
    for (const pkg of publicPackages(workspace.packages)) {
      const fixed = withFields(pkg.manifest, expectedPackageFields({ rootManifest: workspace.rootManifest, baseBranch }, pkg));
      writeFileSync(join(pkg.dir, 'package.json'), `${JSON.stringify(fixed, null, 2)}\n`);
    }
  }
  problems = manifestProblems(await readWorkspace(process.cwd()), baseBranch);
} catch (error) {
  // The root manifest itself is wrong: nothing can be derived from it.
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
if (problems.length > 0) {
  console.error('Package manifests that do not say what the root package.json says:');
  for (const { file, message } of problems) console.error(`  - ${file}: ${message}`);
  console.error('Run `pnpm check:manifests --fix` to write the package fields.');
  process.exit(1);
}
console.log(`Package manifests agree with the root package.json (${publicPackages(workspace.packages).length} public packages).`);
