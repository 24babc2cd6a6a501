// A jest reporter that prints one closing line per package, "N passed, N failed, N skipped", and,
// when DL_TEST_SUMMARY names a file, appends the counts there so .ci/run can print the total.
'use strict';
const fs = require('fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const passed = results.numPassedTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
    const file = process.env.DL_TEST_SUMMARY;
    if (file) fs.appendFileSync(file, JSON.stringify({ cwd: process.cwd(), passed, failed, skipped }) + '\n');
  }
}

module.exports = SummaryReporter;
