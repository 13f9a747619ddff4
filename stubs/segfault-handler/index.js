// naudiodon only calls registerHandler(); the real module is a NAN addon that would need a
// separate build per runtime ABI (Node and Electron), so Lumi replaces it with this no-op.
module.exports = { registerHandler() {}, causeSegfault() {}, printStackTrace() {} };
