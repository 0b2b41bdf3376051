export { simulateJourney, type JourneyResult } from './simulate-journey.js';
export {
  maxJourneyDays,
  parseScenario,
  scenarioEventSchema,
  scenarioSchema,
  type Scenario,
  type ScenarioEvent,
  type ScenarioEventInput,
  type ScenarioInput,
} from './scenario-schema.js';
export { journeyEntryJson, watchJourney, type JourneyEntry, type JourneyWatcher } from './journey-timeline.js';
export { createJourneyBooking, type JourneyBooking } from './journey-booking.js';
