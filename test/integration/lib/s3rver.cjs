// An S3-protocol server for the tests: @20minutes/s3rver (verifies SigV4 signatures, unlike
// s3rver 3.x), run as a library on Node 20. It knows one extra key pair, the one the tests set
// with rolloy.set_storage_credentials().
//   NODE_PATH=<cache>/node_modules node s3rver.cjs PORT DIRECTORY BUCKET
// Prints "ready" once it listens; SIGTERM stops it (the directory keeps the objects, so a
// restart on the same directory serves them again). ROLLOY_S3RVER_DELAY_MS=N holds every request
// N ms before serving it, as a bucket across a network would (the benchmarks).
const S3rver = require('@20minutes/s3rver');
const { DUMMY_ACCOUNT } = require('@20minutes/s3rver/lib/models/account');

const [port, directory, bucket] = process.argv.slice(2);
DUMMY_ACCOUNT.createKeyPair('ROLLOYTESTKEY', 'rolloy-test-secret-0001');
const server = new S3rver({
  port: Number(port),
  address: '127.0.0.1',
  directory,
  silent: true,
  configureBuckets: [{ name: bucket }],
});
const delayMs = Number(process.env.ROLLOY_S3RVER_DELAY_MS || 0);
if (delayMs > 0) {
  const serve = server.callback.bind(server);
  server.callback = () => {
    const handler = serve();
    return (req, res) => setTimeout(() => handler(req, res), delayMs);
  };
}
server.run().then(() => console.log('ready'));
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
