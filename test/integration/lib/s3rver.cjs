// An S3-protocol server for the tests: @20minutes/s3rver (verifies SigV4 signatures, unlike
// s3rver 3.x), run as a library on Node 20. It knows one extra key pair, the one the tests set
// with rolloy.set_storage_credentials().
//   NODE_PATH=<cache>/node_modules node s3rver.cjs PORT DIRECTORY BUCKET
// Prints "ready" once it listens; SIGTERM stops it (the directory keeps the objects, so a
// restart on the same directory serves them again).
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
server.run().then(() => console.log('ready'));
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));
