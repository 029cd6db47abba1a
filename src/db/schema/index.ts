export * from './users';
export * from './stores';
export * from './products';
export * from './orders';
export * from './proxies';
export * from './billing';
export * from './notifications';
export * from './rate-limits';
