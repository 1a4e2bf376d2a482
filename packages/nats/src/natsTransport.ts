import { randomBytes } from 'node:crypto';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  Events,
  RetentionPolicy,
  StorageType,
  connect,
  headers as natsHeaders,
  nanos,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import { OrganismError } from '@organism/xml';
import type { Transport, TransportItem, TransportReceipt } from '@organism/core';
import { Observable, Subject, type Subscriber } from 'rxjs';
import { decodeItem, encodeItem } from './itemCodec.js';
import { natsSubjects, type NatsSubjects } from './subjects.js';
import { Outbox } from './outbox.js';
import { StorePublisher } from './storePublisher.js';
import { ThreadActivityTracker } from './threadActivity.js';

/** Options of {@link natsTransport}. */
export interface NatsTransportOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. */
  readonly servers: string | readonly string[];
  /** The organism's name (`organism.name`): its stream is `ORGANISM_<name>`. */
  readonly organism: string;
  /** The listeners this process runs: one durable pull consumer each. Default none. */
  readonly listeners?: readonly string[];
  /** This process emits the organism's egress (replies to clients) on `egress$`. Default false. */
  readonly egress?: boolean;
  /** A message not acknowledged for this long is redelivered (the worker died). Default 30,000 ms. */
  readonly ackWaitMs?: number;
  /** Deliveries of one message before it goes to the dead-letter subject. Default 5. */
  readonly maxDeliver?: number;
  /**
   * Unacknowledged messages per listener across all processes: the organism's
   * `max_concurrent_per_agent`, held cluster-wide. Default 5.
   */
  readonly maxAckPending?: number;
  /** JetStream's duplicate window: redelivered work within it publishes no duplicate output. Default 120,000 ms. */
  readonly duplicateWindowMs?: number;
  /** How long a publish keeps retrying while the server is unreachable before it fails. Default 60,000 ms. */
  readonly publishTimeoutMs?: number;
  /** Bound on messages kept in the stream (publishes beyond it fail with ORG_ERR_NATS_PUBLISH). Default 1,000,000. */
  readonly maxMessages?: number;
  /** Largest message the stream accepts, in bytes. Default: the server's limit. */
  readonly maxMessageBytes?: number;
  /** Connection name shown by the server's monitoring. */
  readonly name?: string;
}

/** Something the transport reports: a dead letter, a lost or regained connection, a consumer failure. */
export interface NatsTransportEvent {
  readonly code: 'ORG_ERR_NATS_CONNECT' | 'ORG_ERR_NATS_PUBLISH' | 'ORG_ERR_NATS_DEAD_LETTER' | 'ORG_ERR_NATS_MESSAGE';
  readonly message: string;
  readonly error: OrganismError;
  /** The subject of the message concerned, if any. */
  readonly subject?: string;
}

/** A JetStream transport for `createOrganism({ transport })`. */
export interface NatsTransport extends Transport, AsyncDisposable {
  /** The subject layout of this organism. */
  readonly subjects: NatsSubjects;
  /** Dead letters, connection losses and consumer failures (informational; the transport keeps going). */
  readonly events$: Observable<NatsTransportEvent>;
  /**
   * Threads with work left anywhere in the cluster (tracked where egress is hosted), for
   * `startServer(org, { threads })`: a client's `<idle>` comes when its thread's work is done.
   */
  readonly threads: { isBusy(thread: string): boolean; readonly idle$: Observable<string> };
  /** Resolves once every consumer of this process is pulling (after the organism subscribed). */
  consuming(): Promise<void>;
  carry(item: TransportItem): Promise<void>;
  stopIntake(): void;
  /** Stop consuming, let in-flight acknowledgements and publishes reach the server, close. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Connect to NATS JetStream and make (or reuse) the organism's work-queue stream and this
 * process's durable consumers. Give it to `createOrganism` (or `loadOrganism`) as `transport`:
 * the organism then routes every message itself, carries each delivery to its listener's
 * subject, runs the listeners named here, and acknowledges a message only after the outputs of
 * its handler are stored. Fails with ORG_ERR_NATS_CONNECT when the server is unreachable or has
 * no JetStream.
 *
 * @example
 * const transport = await natsTransport({ servers: 'nats://127.0.0.1:4222', organism: 'hello', listeners: ['greeter'] });
 * const org = await loadOrganism('organism.yaml', { transport });
 * await transport.consuming();
 * // … on SIGTERM:
 * await org.close(); // drains, then closes the transport
 */
export async function natsTransport(options: NatsTransportOptions): Promise<NatsTransport> {
  const settings = settle(options);
  const servers = typeof options.servers === 'string' ? [options.servers] : [...options.servers];
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers,
      name: options.name ?? `organism ${options.organism}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      waitOnFirstConnect: false,
      // A stack trace captured per request (every JetStream publish) costs more than the rest of the publish.
      noAsyncTraces: true,
      // Nothing this process publishes is for itself (JetStream's deliveries and acknowledgements
      // come from the server): the server need not send any of it back.
      noEcho: true,
    });
  } catch (error) {
    throw new OrganismError(
      'ORG_ERR_NATS_CONNECT',
      `cannot connect to NATS at ${servers.join(', ')}: ${messageOf(error)}; start nats-server with -js there, or pass another --transport URL`,
      { cause: error },
    );
  }
  try {
    const jsm = await nc.jetstreamManager();
    const subjects = natsSubjects(options.organism);
    await ensureStream(jsm, subjects, settings);
    for (const listener of settings.listeners) await ensureConsumer(jsm, subjects.stream, subjects.durable(listener), subjects.deliver(listener), settings);
    if (settings.egress) await ensureConsumer(jsm, subjects.stream, subjects.egressDurable, subjects.egress, settings);
    return new NatsTransportImpl(nc, nc.jetstream(), subjects, settings);
  } catch (error) {
    await nc.close().catch(() => undefined);
    if (error instanceof OrganismError) throw error;
    throw new OrganismError(
      'ORG_ERR_NATS_CONNECT',
      `NATS at ${servers.join(', ')} did not set up the organism's stream: ${messageOf(error)}${/jetstream|503/i.test(messageOf(error)) ? ' (is JetStream enabled? start nats-server with -js)' : ''}`,
      { cause: error },
    );
  }
}

interface Settings {
  readonly listeners: readonly string[];
  readonly egress: boolean;
  readonly ackWaitMs: number;
  readonly maxDeliver: number;
  readonly maxAckPending: number;
  readonly duplicateWindowMs: number;
  readonly publishTimeoutMs: number;
  readonly maxMessages: number;
  readonly maxMessageBytes: number | undefined;
}

function settle(options: NatsTransportOptions): Settings {
  const positive = (name: string, value: number | undefined, fallback: number): number => {
    const v = value ?? fallback;
    if (!Number.isFinite(v) || v <= 0) throw new OrganismError('ORG_ERR_CONFIG', `natsTransport: ${name} must be a positive number, got ${String(value)}`);
    return v;
  };
  if (typeof options.organism !== 'string' || options.organism === '') throw new OrganismError('ORG_ERR_CONFIG', 'natsTransport: "organism" must be the organism\'s name');
  return {
    listeners: [...new Set((options.listeners ?? []).map((l) => l.toLowerCase()))],
    egress: options.egress === true,
    ackWaitMs: positive('ackWaitMs', options.ackWaitMs, 30_000),
    maxDeliver: Math.floor(positive('maxDeliver', options.maxDeliver, 5)),
    maxAckPending: Math.floor(positive('maxAckPending', options.maxAckPending, 5)),
    duplicateWindowMs: positive('duplicateWindowMs', options.duplicateWindowMs, 120_000),
    publishTimeoutMs: positive('publishTimeoutMs', options.publishTimeoutMs, 60_000),
    maxMessages: Math.floor(positive('maxMessages', options.maxMessages, 1_000_000)),
    maxMessageBytes: options.maxMessageBytes === undefined ? undefined : Math.floor(positive('maxMessageBytes', options.maxMessageBytes, 1)),
  };
}

async function ensureStream(jsm: JetStreamManager, subjects: NatsSubjects, settings: Settings): Promise<void> {
  const config = {
    name: subjects.stream,
    subjects: [subjects.all],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    max_msgs: settings.maxMessages,
    duplicate_window: nanos(settings.duplicateWindowMs),
    ...(settings.maxMessageBytes === undefined ? {} : { max_msg_size: settings.maxMessageBytes }),
  };
  try {
    await jsm.streams.info(subjects.stream);
  } catch (error) {
    if (!/not found/i.test(messageOf(error))) throw error;
    try {
      await jsm.streams.add(config);
      return;
    } catch (added) {
      // Another process made it in the meantime: fall through and align it.
      if (!/already in use/i.test(messageOf(added))) throw added;
    }
  }
  await jsm.streams.update(subjects.stream, config);
}

async function ensureConsumer(jsm: JetStreamManager, stream: string, durable: string, subject: string, settings: Settings): Promise<void> {
  const editable = {
    ack_wait: nanos(settings.ackWaitMs),
    // Unlimited at the server: the transport itself moves a message delivered more than maxDeliver
    // times to the dead letters. (A delivery to a killed worker's lingering pull request counts
    // too; with a server-side limit the message could use its last delivery there and stay stuck.)
    max_deliver: -1,
    max_ack_pending: settings.maxAckPending,
  };
  try {
    await jsm.consumers.add(stream, { durable_name: durable, filter_subject: subject, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ...editable });
  } catch (error) {
    if (!/already (exists|in use)/i.test(messageOf(error))) throw error;
    await jsm.consumers.update(stream, durable, editable);
  }
}

/** The transport's state for one received message: holds, the output counter, the failure if any. */
class MessageReceipt implements TransportReceipt {
  holds = 1;
  failure: unknown = undefined;
  /** Outputs carried so far: the index in their Nats-Msg-Id. */
  outputs = 0;
  /** The thread and Nats-Msg-Id of the message, for the activity `-` once it is completed. */
  thread: string | undefined = undefined;
  msgID: string | undefined = undefined;
  lastWorking: number;

  constructor(
    readonly msg: JsMsg,
    /** The message's stream sequence, the prefix of every output's Nats-Msg-Id (`<sequence>:<index>`). */
    readonly id: string,
    private readonly onSettled: (receipt: MessageReceipt) => void,
  ) {
    this.lastWorking = Date.now();
  }

  hold(): void {
    this.holds++;
  }

  release(failure?: unknown): void {
    if (failure !== undefined && this.failure === undefined) this.failure = failure;
    if (--this.holds === 0) this.onSettled(this);
  }
}

class NatsTransportImpl implements NatsTransport {
  private readonly local = new Subject<TransportItem>();
  private readonly events = new Subject<NatsTransportEvent>();
  readonly events$: Observable<NatsTransportEvent>;
  readonly items$: Observable<TransportItem>;
  private readonly open = new Set<MessageReceipt>();
  private readonly consumers: ConsumerMessages[] = [];
  private subscriber: Subscriber<TransportItem> | undefined;
  private started: Promise<void> | undefined;
  private readonly startedSignal: { resolve: () => void; reject: (error: unknown) => void; promise: Promise<void> };
  private heartbeat: NodeJS.Timeout | undefined;
  private intakeStopped: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private readonly activity = new ThreadActivityTracker();
  private readonly store: StorePublisher;
  /** Stores, acknowledgements and activity lines of this turn, written together at its end. */
  private readonly outbox = new Outbox();
  /** The activity lines of this turn, sent after its other writes (see announce). */
  private announcements: string[] = [];
  readonly threads: NatsTransport['threads'];
  /**
   * Nats-Msg-Id of an item not derived from a received message (a client's, say): 72 random bits
   * for this process and a counter (no `:`, so never an output's `<sequence>:<index>`).
   */
  private readonly idPrefix = `${randomBytes(9).toString('base64url')}.`;
  private carried = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    readonly subjects: NatsSubjects,
    private readonly settings: Settings,
  ) {
    this.events$ = this.events.asObservable();
    this.store = new StorePublisher(nc, PUBLISH_ATTEMPT_MS, (write) => this.outbox.later(write));
    this.threads = { isBusy: (thread) => this.activity.isBusy(thread), idle$: this.activity.idle$ };
    if (settings.egress) {
      nc.subscribe(subjects.activity, {
        callback: (error, msg) => {
          if (error) return;
          for (const event of readActivity(msg.data)) {
            if (event.d === 1) this.activity.started(event.t, event.id);
            else this.activity.ended(event.t, event.id);
          }
        },
      });
    }
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => undefined);
    this.startedSignal = { resolve, reject, promise };
    this.items$ = new Observable<TransportItem>((subscriber) => {
      if (this.subscriber !== undefined) {
        subscriber.error(new OrganismError('ORG_ERR_CONFIG', 'a NATS transport serves one organism: create one transport per organism'));
        return;
      }
      this.subscriber = subscriber;
      const local = this.local.subscribe(subscriber);
      this.started = this.startConsumers(subscriber);
      this.started.then(this.startedSignal.resolve, this.startedSignal.reject);
      return () => {
        local.unsubscribe();
        this.stopIntake();
      };
    });
    void this.watchStatus();
  }

  consuming(): Promise<void> {
    return this.startedSignal.promise;
  }

  publish(item: TransportItem): void {
    this.local.next(item);
  }

  async carry(item: TransportItem): Promise<void> {
    if (this.closing) throw new OrganismError('ORG_ERR_CLOSED', `the NATS transport of "${this.subjects.stream}" is closed`);
    const subject = item.delivery !== undefined ? this.subjects.deliver(item.delivery.listener) : item.egress !== undefined ? this.subjects.egress : undefined;
    if (subject === undefined) throw new OrganismError('ORG_ERR_INTERNAL', 'carry() needs an item with a delivery or an egress');
    const receipt = item.receipt instanceof MessageReceipt ? item.receipt : undefined;
    // Redelivered work numbers its outputs the same way, so JetStream drops what was stored before.
    const msgID = receipt !== undefined ? `${receipt.id}:${receipt.outputs++}` : `${this.idPrefix}${(++this.carried).toString(36)}`;
    const thread = item.thread ?? item.egress?.thread;
    // Announced now (sent right after the store, see announce): the thread is busy until whoever completes it says so.
    if (thread !== undefined) this.announce(thread, msgID, 1);
    await this.publishDurably(subject, encodeItem(item, msgID), msgID);
  }

  /** Publish with a Nats-Msg-Id, retrying while the server is unreachable (a retry is deduplicated). */
  private async publishDurably(subject: string, data: Uint8Array, msgID: string, headers?: ReturnType<typeof natsHeaders>): Promise<void> {
    const deadline = Date.now() + this.settings.publishTimeoutMs;
    let wait = 100;
    for (;;) {
      try {
        await this.store.publish(subject, data, msgID, headers);
        return;
      } catch (error) {
        const text = messageOf(error);
        const permanent = /maximum|exceeded|too large|closed/i.test(text);
        if (permanent || Date.now() + wait > deadline) {
          throw new OrganismError(
            'ORG_ERR_NATS_PUBLISH',
            `could not store a message on ${subject}: ${text}${permanent ? '' : ` (retried for ${this.settings.publishTimeoutMs} ms)`}; check the NATS server and the stream's limits`,
            { cause: error },
          );
        }
        await delay(wait);
        wait = Math.min(wait * 2, 2_000);
      }
    }
  }

  private async startConsumers(subscriber: Subscriber<TransportItem>): Promise<void> {
    const names: Array<readonly [string, string]> = this.settings.listeners.map((l) => [this.subjects.durable(l), this.subjects.deliver(l)] as const);
    if (this.settings.egress) names.push([this.subjects.egressDurable, this.subjects.egress]);
    for (const [durable] of names) {
      if (this.intakeStopped) return;
      const consumer = await this.js.consumers.get(this.subjects.stream, durable);
      const messages = await consumer.consume({
        max_messages: this.settings.maxAckPending,
        callback: (msg) => this.receive(msg, subscriber),
      });
      this.consumers.push(messages);
    }
    if (names.length > 0) {
      // Keep long handlers' messages from being redelivered while this process is alive.
      const every = Math.max(50, Math.floor(this.settings.ackWaitMs / 3));
      this.heartbeat = setInterval(() => {
        const now = Date.now();
        for (const receipt of this.open) {
          if (now - receipt.lastWorking >= every) {
            receipt.lastWorking = now;
            receipt.msg.working();
          }
        }
      }, every);
    }
  }

  private receive(msg: JsMsg, subscriber: Subscriber<TransportItem>): void {
    if (this.intakeStopped) {
      msg.nak(); // arrived while stopping: another process (or a restart) takes it
      return;
    }
    const deliveries = msg.info.deliveryCount;
    if (deliveries > this.settings.maxDeliver) {
      let thread: string | undefined;
      let msgID: string | undefined;
      try {
        const { item, id } = decodeItem(msg.data, msg.subject);
        thread = item.thread ?? item.egress?.thread;
        msgID = id;
      } catch {
        // not ours either: dead-lettered all the same
      }
      void this.deadLetter(
        msg,
        new OrganismError(
          'ORG_ERR_NATS_DEAD_LETTER',
          `a message on ${msg.subject} was delivered ${deliveries - 1} times (max_deliver ${this.settings.maxDeliver}) without being completed: its worker crashed or was stopped each time`,
        ),
      ).then(() => {
        if (thread !== undefined && msgID !== undefined) this.announce(thread, msgID, -1);
      });
      return;
    }
    const receipt = new MessageReceipt(msg, String(msg.seq), this.settleReceiptFn);
    let item: TransportItem;
    try {
      ({ item, id: receipt.msgID } = decodeItem(msg.data, msg.subject, receipt));
    } catch (error) {
      void this.deadLetter(msg, error as OrganismError);
      return;
    }
    receipt.thread = item.thread ?? item.egress?.thread;
    this.open.add(receipt);
    subscriber.next(item);
  }

  private readonly settleReceiptFn = (receipt: MessageReceipt): void => this.settleReceipt(receipt);

  private settleReceipt(receipt: MessageReceipt): void {
    this.open.delete(receipt);
    const { msg, failure } = receipt;
    if (failure === undefined) {
      this.outbox.later(() => msg.ack());
      this.completed(receipt);
      return;
    }
    const error = failure instanceof OrganismError ? failure : new OrganismError('ORG_ERR_NATS_PUBLISH', messageOf(failure), { cause: failure });
    if (msg.info.deliveryCount >= this.settings.maxDeliver) {
      void this.deadLetter(msg, error).then(() => this.completed(receipt));
      return;
    }
    // Back off before the next attempt: what failed was storing the outputs (the server, the stream).
    msg.nak(Math.min(1_000 * 2 ** (msg.info.deliveryCount - 1), 10_000));
  }

  /** Move a message to the dead-letter subject with its reason in headers, then drop it from the work queue. */
  private async deadLetter(msg: JsMsg, reason: OrganismError): Promise<void> {
    const h = natsHeaders();
    h.set('Organism-Error-Code', reason.code);
    h.set('Organism-Error', reason.message.replace(/[\r\n]+/g, ' ').slice(0, 1024));
    h.set('Organism-Subject', msg.subject);
    h.set('Organism-Stream-Seq', String(msg.seq));
    h.set('Organism-Deliveries', String(msg.info.deliveryCount));
    try {
      await this.publishDurably(this.subjects.dead, msg.data, `dead:${this.subjects.stream}:${msg.seq}`, h);
      msg.term();
      const error =
        reason.code === 'ORG_ERR_NATS_DEAD_LETTER'
          ? reason
          : new OrganismError('ORG_ERR_NATS_DEAD_LETTER', `a message on ${msg.subject} moved to ${this.subjects.dead}: ${reason.code}: ${reason.message}`, { cause: reason });
      this.report(error, msg.subject);
    } catch (error) {
      // Could not store the dead letter: leave the message to be redelivered and tried again.
      this.report(error instanceof OrganismError ? error : new OrganismError('ORG_ERR_NATS_PUBLISH', messageOf(error), { cause: error }), msg.subject);
      msg.nak(1_000);
    }
  }

  /** Tell the egress host that a carried message started or was completed. */
  private announce(thread: string, id: string, d: 1 | -1): void {
    if (this.settings.egress) {
      // The egress host is the one process that follows activity (one per organism): its own
      // lines would reach nobody, so they are applied here and not sent.
      if (d === 1) this.activity.started(thread, id);
      else this.activity.ended(thread, id);
      return;
    }
    // `+ <thread> <id>` / `- <thread> <id>`: neither contains a space. The lines of one
    // event-loop turn go out in order, after the turn's stores and acknowledgements, in as few
    // messages as MAX_ANNOUNCEMENTS allows. The `+` of an output therefore leaves after the output
    // is stored but in an earlier turn than the `-` of the message that produced it (that `-`
    // waits for the output's PubAck, which comes in a later turn), so the egress host sees the
    // thread busy throughout. If the egress host completes the output before its `+` arrives,
    // the tracker remembers the `-` and ignores the late `+`.
    if (this.announcements.push(`${d === 1 ? '+' : '-'} ${thread} ${id}`) === 1) this.outbox.last(this.sendAnnouncements);
  }

  private readonly sendAnnouncements = (): void => {
    const lines = this.announcements;
    this.announcements = [];
    if (this.nc.isClosed()) return;
    for (let i = 0; i < lines.length; i += MAX_ANNOUNCEMENTS) {
      const batch = lines.length <= MAX_ANNOUNCEMENTS ? lines : lines.slice(i, i + MAX_ANNOUNCEMENTS);
      this.nc.publish(this.subjects.activity, encoder.encode(batch.join('\n')));
    }
  };

  private completed(receipt: MessageReceipt): void {
    if (receipt.thread !== undefined && receipt.msgID !== undefined) this.announce(receipt.thread, receipt.msgID, -1);
  }

  private report(error: OrganismError, subject?: string): void {
    if (this.events.closed) return;
    const code = error.code as NatsTransportEvent['code'];
    this.events.next(subject === undefined ? { code, message: error.message, error } : { code, message: error.message, error, subject });
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === Events.Disconnect) {
        this.report(new OrganismError('ORG_ERR_NATS_CONNECT', `lost the connection to NATS at ${String(status.data)}; reconnecting (unacknowledged work is redelivered if this process stops)`));
      }
    }
  }

  stopIntake(): void {
    this.intakeStopped ??= (async () => {
      await this.started?.catch(() => undefined);
      await Promise.all(this.consumers.map((c) => c.close().catch(() => undefined)));
    })();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopIntake();
      await this.intakeStopped;
      if (this.heartbeat) clearInterval(this.heartbeat);
      // Messages still open (the organism closed without finishing them) are redelivered elsewhere.
      this.open.clear();
      this.local.complete();
      this.outbox.flush();
      await this.nc.drain().catch(() => this.nc.close());
      this.store.close();
      this.events.complete();
      this.activity.close();
    })();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** How long one attempt to store a message waits for JetStream's acknowledgement before it is retried. */
const PUBLISH_ATTEMPT_MS = 5_000;

/** Activity lines in one message at most (a turn that announces more sends more messages). */
const MAX_ANNOUNCEMENTS = 512;

function readActivity(data: Uint8Array): Array<{ t: string; id: string; d: 1 | -1 }> {
  const events: Array<{ t: string; id: string; d: 1 | -1 }> = [];
  for (const line of decoder.decode(data).split('\n')) {
    const [sign, t, id, extra] = line.split(' ');
    // Anything else is not ours: ignored (activity is advisory).
    if ((sign !== '+' && sign !== '-') || !t || !id || extra !== undefined) continue;
    events.push({ t, id, d: sign === '+' ? 1 : -1 });
  }
  return events;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
