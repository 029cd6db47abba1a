export { canaryWorkflow } from './canary';
export { passwordLoginWorkflow } from './password-login';
export { smsLoginWorkflow } from './sms-login';
export { storeSessionCheckWorkflow } from './store-session-check';
export { subscriptionWorkflow } from './subscription';
export { proxyPoolWorkflow } from './proxy-pool';
export { demperWorkflow } from './demper';
export { catalogSyncWorkflow } from './catalog-sync';
