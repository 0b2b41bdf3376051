export { PhoneNumber, maskPhone, type ParsePhoneOptions, type PhoneType } from './phone-number.js';
export { formatWhatsAppJid, identityFromWhatsApp, parseWhatsAppJid, type LeadIdentity, type WhatsAppAddress } from './whatsapp-jid.js';
