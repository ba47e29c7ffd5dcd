// The logic of every handler, as plain functions of the event. Nothing here knows
// about Lambda, so it is tested as ordinary code (test/core.test.mjs). Each handler
// in lambda_function.mjs is a thin wrapper over one function here.

/** Count the records and total their amounts: the sample logic every handler shares. */
export function summarize(records = []) {
  const total = records.reduce((sum, r) => sum + Number(r.amount ?? 0), 0);
  return { count: records.length, total: Math.round(total * 100) / 100 };
}

// lambda-image:core (each handler's logic; new ones are added above this line)
