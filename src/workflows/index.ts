export { canaryWorkflow } from './canary';
