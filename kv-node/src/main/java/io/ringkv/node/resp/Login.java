package io.ringkv.node.resp;

import io.ringkv.node.auth.Authenticator;
import io.ringkv.node.auth.User;
import io.ringkv.node.service.AnswerChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Logs a connection in for AUTH and HELLO AUTH without stalling the front door: the password is checked by the
 * {@link Authenticator} on its own thread, the reply's place is reserved ({@link CommandContext#defer()}), and the
 * connection runs none of its later requests until the answer is back on the front door's thread, where the session
 * takes the user.
 */
final class Login {
    static final Reply WRONGPASS = Reply.error("WRONGPASS invalid username-password pair or user is disabled.");
    /** How long a refused hand-back to the front door waits before it is offered again (its queue was full). */
    private static final long REDELIVER_MILLIS = 1;

    private final Authenticator authenticator;

    Login(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    /**
     * Starts a login of {@code context}'s connection as {@code user}.
     *
     * @param replyProtocol the protocol the reply is encoded in (HELLO 3 AUTH answers in RESP3)
     * @param onSuccess runs on the front door's thread once the session has the user; returns the reply
     */
    void start(CommandContext context, String user, byte[] password, int replyProtocol,
               Function<User, Reply> onSuccess) {
        ClientSession session = context.session();
        int protocol = session.protocol();
        session.protocol(replyProtocol);
        ReplySlot slot = context.defer();
        session.protocol(protocol);
        session.loginPending(true);
        AnswerChannel frontDoor = context.answers();
        authenticator.login(user, password, session.origin()).whenComplete((found, failure) ->
            deliver(frontDoor, () -> finish(session, slot, found, failure, onSuccess)));
    }

    private static void finish(ClientSession session, ReplySlot slot, Optional<User> found, Throwable failure,
                               Function<User, Reply> onSuccess) {
        session.loginPending(false);
        if (failure != null) {
            slot.fail(failure);
        } else if (found.isEmpty()) {
            slot.complete(WRONGPASS);
        } else {
            session.user(found.get());
            slot.complete(onSuccess.apply(found.get()));
        }
    }

    /** Hands {@code task} to the front door's thread, again a moment later while its queue is full. */
    private static void deliver(AnswerChannel frontDoor, Runnable task) {
        List<Runnable> batch = new ArrayList<>(1);
        batch.add(task);
        if (!frontDoor.deliver(batch)) {
            CompletableFuture.delayedExecutor(REDELIVER_MILLIS, TimeUnit.MILLISECONDS)
                .execute(() -> deliver(frontDoor, task));
        }
    }
}
