// `pnpm check:release-plan`: prints the versions the pending changesets would release and fails
// when the plan is not the intended one — a public package released for the first time at
// anything but 0.1.0 (or not at all, which would publish 0.0.0), a major release no changeset asks
// for, or a peer range on a workspace package that a minor of that package would leave.
import { checkReleasePlan } from './release/release-plan.mjs';

const { releases, problems } = await checkReleasePlan(process.cwd());

console.log(releases.length === 0 ? 'No pending releases.' : 'Pending releases:');
const width = Math.max(0, ...releases.map((release) => release.name.length));
for (const release of releases) {
  const note = release.isPrivate ? '  (private, not published)' : '';
  console.log(`  ${release.name.padEnd(width)}  ${release.oldVersion} → ${release.newVersion}  ${release.type}${note}`);
}
if (problems.length > 0) {
  console.error(`\nThe release plan is not the intended one:`);
  for (const problem of problems) console.error(`  - ${problem}`);
  process.exit(1);
}
console.log('\nThe release plan is the intended one.');
