export { chooseVariation, extractVariables, renderTemplate, stableHash, validateTemplateBodies } from './template-engine.js';
export { formatLocalDate, formatMoney } from './format.js';
export {
  allowedVariablesFor,
  billingVariables,
  builtinTemplates,
  reengagementVariables,
  reminderVariables,
  type BuiltinTemplate,
  type TemplateCatalog,
} from './template-catalog.js';
export { localeFallbacks, renderResolved, resolveTemplate, type ResolvedTemplate } from './resolve-template.js';
export { createTemplateService, templateKindOf, type SaveTemplateInput, type TemplateService } from './template-service.js';
