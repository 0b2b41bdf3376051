export type { AppointmentChange, AppointmentChangeContext, AppointmentObserver } from './appointment-observer.js';
