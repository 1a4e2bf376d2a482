// The raw floor's second process: consume bench requests, publish the reply, then ack (the same
// order of work as an organism worker: outputs stored, then the input acknowledged).
import { connect } from 'nats';

const [url, window] = process.argv.slice(2);
const nc = await connect({ servers: url, noAsyncTraces: true }); // as the NATS transport connects
const js = nc.jetstream();
const consumer = await js.consumers.get('BENCH_RAW', 'req');
await consumer.consume({
  max_messages: Number(window),
  callback: (msg) => {
    js.publish('bench.rep', msg.data, { msgID: `rep:${msg.seq}` }).then(
      () => msg.ack(),
      () => msg.nak(),
    );
  },
});
console.log('ready');
