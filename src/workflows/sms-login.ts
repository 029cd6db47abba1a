import {
  ActivityCancellationType,
  ActivityFailure,
  allHandlersFinished,
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  setHandler,
  TimeoutFailure,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  MAX_CODE_ATTEMPTS,
  SMS_CODE,
  START_AGAIN,
  smsLoginStatusQuery,
  submitCodeUpdate,
  type LoginState,
  type SmsLoginInput,
  type SmsLoginStatus,
} from './messages';

const shared = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 5 },
});

/**
 * Steps that use the browser page run on the worker that opened it. If that worker is gone nobody polls
 * its queue, and this short wait for a pick-up turns into a clean "start again".
 */
const WORKER_PICKUP_TIMEOUT = '10 seconds';

const FINISHED: readonly LoginState[] = ['connected', 'failed', 'expired'];

/**
 * A phone-and-SMS login (`sms-login:<loginId>`): opens Kaspi's login page on one worker, asks Kaspi to
 * send the code, waits for the merchant's code through the `submitCode` update (4–6 digits, at most three
 * tries, within `codeTimeoutSeconds` of the start), completes the login and connects the stores. The
 * page stays in that worker's memory between the steps, so every step runs on that worker's own task
 * queue; a heartbeat from the held page notices a worker that died. `kaspi_logins` mirrors the state.
 */
export async function smsLoginWorkflow(input: SmsLoginInput): Promise<SmsLoginStatus> {
  const deadlineMs = Date.now() + input.codeTimeoutSeconds * 1000;
  const status = {
    state: 'waiting_code' as LoginState,
    attempts: 0,
    message: null as string | null,
    storeIds: [] as string[],
  };
  let pageOpen = false;
  let sendFinished = false;
  let onWorker: Activities | undefined;

  const finished = () => FINISHED.includes(status.state);
  const view = (): SmsLoginStatus => ({
    ...status,
    storeIds: [...status.storeIds],
    attemptsLeft: Math.max(0, MAX_CODE_ATTEMPTS - status.attempts),
  });
  const fail = (message: string) => {
    status.state = 'failed';
    status.message = message;
  };
  const record = () =>
    shared.recordLoginState({
      loginId: input.loginId,
      state: status.state,
      attempts: status.attempts,
      failureReason: status.message,
      storeIds: status.storeIds,
    });

  setHandler(smsLoginStatusQuery, view);
  setHandler(
    submitCodeUpdate,
    async (code) => {
      status.attempts++;
      status.state = 'verifying';
      status.message = null;
      await record();
      // A code can beat the page's "code sent" answer back to this workflow.
      await condition(() => sendFinished);
      if (!pageOpen || !onWorker) {
        if (!finished()) fail(START_AGAIN);
      } else {
        try {
          const result = await onWorker.submitLoginCode({ loginId: input.loginId, phone: input.phone, code });
          if (result.status === 'connected') {
            status.state = 'connected';
            status.storeIds = result.storeIds;
          } else if (result.status === 'wrong_code' && status.attempts < MAX_CODE_ATTEMPTS) {
            status.state = 'waiting_code';
            status.message = result.message;
          } else {
            fail(result.message);
          }
        } catch {
          fail(START_AGAIN);
        }
      }
      await record();
      return view();
    },
    {
      validator: (code) => {
        if (typeof code !== 'string' || !SMS_CODE.test(code)) throw new Error('The code is 4 to 6 digits.');
        if (status.state === 'expired') throw new Error('The login has expired; start again.');
        if (finished()) throw new Error(`The login has ended (${status.state}); start again.`);
        if (status.state === 'verifying') throw new Error('A code is being checked; wait for its answer.');
        if (status.attempts >= MAX_CODE_ATTEMPTS) throw new Error('No tries left; start again.');
      },
    },
  );

  const hold = new CancellationScope();
  let holding = Promise.resolve();
  try {
    const taskQueue = await shared.loginWorkerQueue();
    onWorker = proxyActivities<Activities>({
      taskQueue,
      scheduleToStartTimeout: WORKER_PICKUP_TIMEOUT,
      startToCloseTimeout: '2 minutes',
      retry: { maximumAttempts: 1 },
    });
    const holder = proxyActivities<Activities>({
      taskQueue,
      scheduleToStartTimeout: WORKER_PICKUP_TIMEOUT,
      startToCloseTimeout: `${input.codeTimeoutSeconds + 120} seconds`,
      heartbeatTimeout: '10 seconds',
      // Cancelling must not wait for a worker that may be dead.
      cancellationType: ActivityCancellationType.TRY_CANCEL,
      retry: { maximumAttempts: 1 },
    });

    const sent = await onWorker.sendLoginCode({
      loginId: input.loginId,
      phone: input.phone,
      pageLifetimeSeconds: input.codeTimeoutSeconds + 60,
    });
    if (sent.status === 'failed') {
      fail(sent.message);
    } else {
      pageOpen = true;
      holding = hold
        .run(() => holder.holdLoginPage({ loginId: input.loginId }))
        .then(
          () => pageLost(),
          () => {
            if (!hold.consideredCancelled) pageLost();
          },
        );
    }
    sendFinished = true;

    if (!(await condition(finished, Math.max(1, deadlineMs - Date.now())))) {
      await condition(() => status.state !== 'verifying');
      if (!finished()) {
        status.state = 'expired';
        status.message = 'No code arrived in time; start again.';
      }
    }
  } catch (error) {
    const interrupted =
      isCancellation(error) || (error instanceof ActivityFailure && error.cause instanceof TimeoutFailure);
    if (!finished()) fail(interrupted ? START_AGAIN : "Kaspi's login page did not answer as expected; start again.");
  } finally {
    sendFinished = true;
  }

  await condition(allHandlersFinished);
  await CancellationScope.nonCancellable(async () => {
    await record();
    // A live worker closes the page (a right code has closed it already), and the holding activity ends
    // on its own within a heartbeat; a dead worker took the page along and is not waited for.
    const closed =
      pageOpen && onWorker
        ? await onWorker.closeLoginPage({ loginId: input.loginId }).then(
            () => true,
            () => false,
          )
        : false;
    if (closed) await holding;
    hold.cancel();
  });
  return view();

  /** The page's worker stopped while the merchant was still to send a code. */
  function pageLost() {
    if (status.state === 'waiting_code') {
      pageOpen = false;
      fail(START_AGAIN);
    }
  }
}
