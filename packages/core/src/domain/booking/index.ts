export type { AppointmentChange, AppointmentChangeContext, AppointmentObserver } from './appointment-observer.js';
export {
  availableSlots,
  bookableRange,
  checkSlot,
  describeSlot,
  freeSlotIntervals,
  nearestSlots,
  type AvailabilityIgnore,
  type AvailabilityInput,
  type AvailableSlot,
  type BookingTenant,
  type SlotCheck,
  type SlotRefusal,
  type SlotsInput,
} from './availability.js';
