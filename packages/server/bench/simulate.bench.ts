/**
 * `pnpm bench simulate [rounds]`: how fast `sdr simulate` plays journeys — the committed example
 * journeys, each played `rounds` times (default 20) through the real services and dispatcher on
 * a virtual clock. Prints journeys per second and simulated days per wall-clock second.
 */
import { readFile, readdir } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseScenario, simulateJourney } from '@sdr/core';

const rounds = Number(process.argv[2] ?? 20);
const directory = new URL('../../../examples/journeys/', import.meta.url);
const names = (await readdir(directory)).filter((name) => name.endsWith('.json')).sort();
const scenarios = await Promise.all(names.map(async (name) => JSON.parse(await readFile(new URL(name, directory), 'utf8')) as unknown));
const simulatedDays = scenarios.reduce<number>((sum, scenario) => {
  const parsed = parseScenario(scenario);
  return sum + (parsed.until.getTime() - parsed.start.getTime()) / 86_400_000;
}, 0);

// Warm up the module graph and the JIT before measuring.
for (const scenario of scenarios) await simulateJourney(scenario);

const perJourney: number[] = [];
let entries = 0;
const started = performance.now();
for (let round = 0; round < rounds; round += 1) {
  for (const scenario of scenarios) {
    const before = performance.now();
    const result = await simulateJourney(scenario);
    perJourney.push(performance.now() - before);
    entries += result.entries.length;
  }
}
const seconds = (performance.now() - started) / 1000;
perJourney.sort((a, b) => a - b);
const percentile = (p: number) => perJourney[Math.min(perJourney.length - 1, Math.floor((p / 100) * perJourney.length))] ?? 0;

console.log(`simulate: ${scenarios.length} example journeys × ${rounds} rounds = ${perJourney.length} journeys in ${seconds.toFixed(2)} s`);
console.log(`  journeys/s          ${(perJourney.length / seconds).toFixed(1)}`);
console.log(`  timeline entries/s  ${(entries / seconds).toFixed(0)}`);
console.log(`  simulated days/s    ${((simulatedDays * rounds) / seconds).toFixed(0)}`);
console.log(`  ms per journey      p50 ${percentile(50).toFixed(1)}  p95 ${percentile(95).toFixed(1)}  max ${percentile(100).toFixed(1)}`);
