/** The workflows the worker registers. Workflow code imports only @temporalio/workflow, domain/ and types. */
export { electionWorkflow } from './election/workflow';
export { contractWorkflow } from './contract/workflow';
export { ballotWorkflow } from './ballot/workflow';
export { fileIngestionWorkflow } from './ingest/workflow';
export { noticesWorkflow, confirmationCodeWorkflow, currentStatusWorkflow, electionUpdateWorkflow } from './notices/workflow';
