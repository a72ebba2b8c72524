/**
 * Voter notifications, the pure part (issue 4): channels and languages, which events notify, the county's identity,
 * templates and their texts, contact hours and voter lookup keys. No I/O, no clock, no randomness: usable in
 * workflows and activities alike.
 */
export * from './channels';
export * from './triggers';
export * from './reasons';
export * from './templates';
export * from './format';
export * from './sms';
export * from './contact-hours';
export * from './match';
export * from './queue';
export * from './values';
