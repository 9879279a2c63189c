// Runs the built CLI's main() in a worker thread for the fuzz test, one command line per message: the test's thread
// stays free to notice a hang (a blocked read) and terminate this worker. Plain JS: it loads dist/, not ts-jest.
const { parentPort } = require('worker_threads');
const { main } = require('../../dist/src/cli/main');

parentPort.on('message', async ({ id, argv }) => {
  let out = '';
  let err = '';
  const io = { out: (text) => (out += text), err: (text) => (err += text), isTty: false };
  try {
    const code = await main(argv, io);
    parentPort.postMessage({ id, code, out, err });
  } catch (error) {
    // main() never throws; if it does, that is the crash the fuzz test looks for.
    parentPort.postMessage({ id, code: 'threw', out, err: `${err}${error && error.stack ? error.stack : String(error)}` });
  }
});
