export { canaryWorkflow } from './canary';
export { demperWorkflow } from './demper';
export { catalogSyncWorkflow } from './catalog-sync';
