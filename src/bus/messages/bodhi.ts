// Bodhi's "update complete" messages (bodhi-messages UpdateCompleteStableV1/TestingV1). composedb
// already reads them for updates pushes; the bus validates with the same schema.
export { updateCompleteBodySchema as bodhiUpdateCompleteBodySchema, type UpdateCompleteBody as BodhiUpdateCompleteBody } from "../../composedb/updates-push.js";
