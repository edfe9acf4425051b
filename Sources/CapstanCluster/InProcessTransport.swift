import CapstanAPIServer
import CapstanClient

extension ClosureTransport {
    /// The bundled cluster's own components reach `server` through this: each request goes
    /// straight into the server's request handler (`APIServer.respond(to:)`), sharing every
    /// handler with the HTTP path but skipping sockets and HTTP framing. Watches and followed
    /// logs stream; a consumer that stops early cancels the server-side stream.
    public static func inProcess(_ server: APIServer) -> ClosureTransport {
        ClosureTransport(streaming: { request in
            let response = await server.respond(to: InProcessRequest(
                method: request.method, uri: request.path,
                headers: request.headers.fields.map { ($0.name, $0.value) }, body: request.body))
            return StreamingResponse(status: response.status, headers: HeaderFields(response.headers),
                                     body: response.body, cancel: response.cancel)
        })
    }
}
