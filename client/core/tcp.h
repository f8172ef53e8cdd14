/* tcp.h: a socket tweak the client core shares with the recorder. Not a
 * public header: the recorder includes it through a PRIVATE include
 * directory (record/CMakeLists.txt). */
#ifndef MOCKKIT_CLIENT_TCP_H
#define MOCKKIT_CLIENT_TCP_H

/* Turn Nagle off on this process's TCP connections whose peer port is
 * peer_port. For connections made with CivetWeb's websocket client directly
 * (as the recorder's upstream hop does): it writes a frame's header and
 * payload separately and exposes no socket, so each frame would otherwise
 * wait ~40 ms for a delayed ACK. mkc_ws_connect does this itself. */
void mkc_tcp_nodelay_to_port(int peer_port);

#endif /* MOCKKIT_CLIENT_TCP_H */
