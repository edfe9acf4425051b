import COpenSSL
import NIOCore

/// TLS in a swift-nio pipeline: ciphertext below, plaintext above. Put it first in the pipeline
/// (nearest the socket), before the HTTP codecs.
///
/// Clients start the handshake when the channel becomes active; servers wait for the client's
/// hello. Writes made before the handshake finishes are held (at most `maxPendingBytes`) and go
/// out after it. The handshake's outcome completes `handshakePromise` (given by the creator, so
/// it can wait for it or read the client's identity) and a failure is also fired as a `TLSError`
/// before the channel is closed. Closing sends close_notify first; a close_notify from the peer
/// closes the channel. A TCP close without close_notify after the handshake is not reported as
/// an error: HTTP/1.1 frames its own bodies, so truncation is caught one layer up.
///
/// Concurrency: like every channel handler, it runs on its channel's event loop only, and is
/// not `Sendable`.
public final class TLSHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// Plaintext written before the handshake ends beyond this fails instead of piling up.
    public static let maxPendingBytes = 8 << 20
    /// Plaintext is read out of OpenSSL in pieces of this size (one TLS record holds 16 KiB).
    static let readChunk = 16 * 1024

    private enum State { case idle, handshaking, open, closed }

    private let tls: TLSContext
    private let session: TLSSession
    private var state = State.idle
    private var handshakePromise: EventLoopPromise<TLSSessionInfo>?
    private var pending: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    private var pendingBytes = 0
    private var flushPending = false

    /// `serverName` (clients): the name sent as SNI and checked against the server's
    /// certificate — a DNS name or an IP address.
    public init(context: TLSContext, serverName: String? = nil,
                handshakePromise: EventLoopPromise<TLSSessionInfo>? = nil) throws(TLSError)
    {
        self.tls = context
        self.handshakePromise = handshakePromise
        do {
            self.session = try TLSSession(context: context, serverName: serverName)
        } catch {
            handshakePromise?.fail(error)
            throw error
        }
    }

    /// Adds a handler for `context` at the front of `channel`'s pipeline and returns its
    /// handshake's outcome. Call it on the channel's event loop, in a channel initializer.
    public static func install(on channel: any Channel, context: TLSContext,
                               serverName: String? = nil) throws -> EventLoopFuture<TLSSessionInfo>
    {
        let promise = channel.eventLoop.makePromise(of: TLSSessionInfo.self)
        do {
            let handler = try TLSHandler(context: context, serverName: serverName, handshakePromise: promise)
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
        } catch {
            promise.fail(error)  // no-op when the handler already failed it
            throw error
        }
        return promise.futureResult
    }

    // MARK: - Lifecycle

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { begin(context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        finish(with: TLSError(.uncleanShutdown, "the TLS handler was removed before the handshake finished"))
    }

    public func channelActive(context: ChannelHandlerContext) {
        begin(context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        if state == .handshaking || state == .idle {
            let error = TLSError(.uncleanShutdown, "the connection closed during the TLS handshake",
                                 reason: OpenSSLErrors.drain(), verifyError: session.verifyError)
            finish(with: error)
            context.fireErrorCaught(error)
        }
        state = .closed
        failPending(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    private func begin(_ context: ChannelHandlerContext) {
        guard state == .idle else { return }
        state = .handshaking
        // The client speaks first; a server's first call only says "want read".
        if tls.role == .client { handshake(context) }
    }

    // MARK: - Inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard state != .closed else { return }
        let taken = buffer.withUnsafeReadableBytes { session.receive($0) }
        guard taken else {
            fail(context, TLSError.openSSL(.session, "buffering received bytes"))
            return
        }
        if state == .idle { begin(context) }
        if state == .handshaking { handshake(context) }
        if state == .open { readPlaintext(context) }
    }

    private func handshake(_ context: ChannelHandlerContext) {
        OpenSSLErrors.clear()
        let rc = SSL_do_handshake(session.ssl)
        // Whatever happened, OpenSSL may have produced records (hellos, finished, alerts).
        sendOutput(context)
        if rc == 1 {
            state = .open
            let info = session.info(verifiesPeer: tls.verifiesClientCertificates)
            finish(with: info)
            for (buffer, promise) in pending { encrypt(context, buffer, promise: promise) }
            pending.removeAll()
            pendingBytes = 0
            if flushPending { context.flush() }
            flushPending = false
            return
        }
        let code = SSL_get_error(session.ssl, rc)
        if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE { return }
        fail(context, TLSError.openSSL(.handshake, "the handshake failed", verifyError: session.verifyError))
    }

    private func readPlaintext(_ context: ChannelHandlerContext) {
        while state == .open {
            OpenSSLErrors.clear()
            var buffer = context.channel.allocator.buffer(capacity: Self.readChunk)
            var rc: Int32 = 0
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.readChunk) { raw in
                rc = SSL_read(session.ssl, raw.baseAddress, Int32(min(raw.count, Int(Int32.max))))
                return max(0, Int(rc))
            }
            if rc > 0 {
                context.fireChannelRead(wrapInboundOut(buffer))
                continue
            }
            let code = SSL_get_error(session.ssl, rc)
            switch code {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                sendOutput(context)  // e.g. a key update answered while reading
                return
            case SSL_ERROR_ZERO_RETURN:
                // close_notify from the peer: answer it and close.
                shutdown(context)
                context.close(promise: nil)
                return
            default:
                fail(context, TLSError.openSSL(.session, "reading TLS records", verifyError: session.verifyError))
                return
            }
        }
    }

    // MARK: - Outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        switch state {
        case .idle, .handshaking:
            guard pendingBytes + buffer.readableBytes <= Self.maxPendingBytes else {
                promise?.fail(TLSError(.session, "more than \(Self.maxPendingBytes) bytes written before the TLS handshake finished"))
                return
            }
            pendingBytes += buffer.readableBytes
            pending.append((buffer, promise))
        case .open:
            encrypt(context, buffer, promise: promise)
        case .closed:
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        switch state {
        case .idle, .handshaking: flushPending = true
        case .open: context.flush()
        case .closed: break
        }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if mode != .input {
            if state == .open { shutdown(context) }
            if state != .closed {
                state = .closed
                let error = TLSError(.uncleanShutdown, "the connection was closed during the TLS handshake")
                finish(with: error)
                failPending(ChannelError.ioOnClosedChannel)
            }
        }
        context.close(mode: mode, promise: promise)
    }

    private func encrypt(_ context: ChannelHandlerContext, _ buffer: ByteBuffer, promise: EventLoopPromise<Void>?) {
        guard buffer.readableBytes > 0 else {
            context.write(wrapOutboundOut(buffer), promise: promise)
            return
        }
        OpenSSLErrors.clear()
        let rc = buffer.withUnsafeReadableBytes { raw in
            SSL_write(session.ssl, raw.baseAddress, Int32(clamping: raw.count))
        }
        // Without SSL_MODE_ENABLE_PARTIAL_WRITE a success is always the whole buffer, and a
        // memory BIO never asks to retry a write.
        guard rc > 0, Int(rc) == buffer.readableBytes else {
            let error = TLSError.openSSL(.session, "writing TLS records")
            promise?.fail(error)
            fail(context, error)
            return
        }
        let ciphertext = MemoryBIO.drain(session.writeBIO)
        context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: ciphertext)), promise: promise)
    }

    /// Sends close_notify (not waiting for the peer's: the connection is closing anyway).
    private func shutdown(_ context: ChannelHandlerContext) {
        OpenSSLErrors.clear()
        _ = SSL_shutdown(session.ssl)
        OpenSSLErrors.clear()
        sendOutput(context)
        state = .closed
    }

    /// Writes and flushes what OpenSSL produced for the network.
    private func sendOutput(_ context: ChannelHandlerContext) {
        guard session.hasOutput else { return }
        let bytes = MemoryBIO.drain(session.writeBIO)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
    }

    // MARK: - Failure

    private func fail(_ context: ChannelHandlerContext, _ error: TLSError) {
        guard state != .closed else { return }
        state = .closed
        finish(with: error)
        failPending(error)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    private func failPending(_ error: any Error) {
        let held = pending
        pending.removeAll()
        pendingBytes = 0
        for (_, promise) in held { promise?.fail(error) }
    }

    private func finish(with info: TLSSessionInfo) {
        handshakePromise?.succeed(info)
        handshakePromise = nil
    }

    private func finish(with error: TLSError) {
        handshakePromise?.fail(error)
        handshakePromise = nil
    }
}

@available(*, unavailable)
extension TLSHandler: Sendable {}
