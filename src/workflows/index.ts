export { canaryWorkflow } from './canary';
export { subscriptionWorkflow } from './subscription';
export { proxyPoolWorkflow } from './proxy-pool';
