.\" Fragment: the CONTROLLER, BIRD, PREFIXES and SERVICES sections of
.\" raiz.json(5), merged by the lead.
.SH CONTROLLER
An object: how
.BR raiz\-controller (8)
runs.
Every member is optional.
.TP
.BR control\-socket " (path, default " run\-dir /controller.sock )
The unix socket
.BR raizctl (8)
talks to; created with mode 0660.
.TP
.BR on\-stop " (" withdraw " or " keep ", default " withdraw )
What a stopping controller (SIGTERM, SIGINT) does with the prefixes:
withdraw them, or leave BIRD as it is.
.TP
.BR drain\-time " (duration, default 60 s)"
How long
.B raizctl drain
announces the prefixes with the drain attributes before withdrawing them.
0 withdraws at once.
.TP
.BR dnsd\-pidfile " (path or null, default " dnsd.pidfile )
The pid file of
.BR raiz\-dnsd (8),
whose main process the controller watches with a pidfd, so that a crash is
known within milliseconds.
.B null
or
.B \(dq\(dq
turns the watch off (the probes still find the failure).
.TP
.BR watchdog " (boolean, default " true )
Send systemd WATCHDOG=1 notifications when the unit sets
.BR WatchdogSec= .
.TP
.BR stop\-timeout " (duration, default 3 s, at most 60 s)"
How long a stopping controller (and
.BR "raiz\-controller \-\-stop\-post" )
waits for BIRD to show the withdrawal.
.TP
.BR history " (number, 8 to 65536, default 256)"
How many transitions are kept for
.BR "raizctl why" .
.SH BIRD
An object: how the controller reaches BIRD and what the generated BIRD
configuration
.RB ( "raizctl bird\-conf" )
contains.
Every member is optional.
.TP
.BR socket " (path, default " /run/bird/bird.ctl )
BIRD's control socket.
.TP
.BR state\-file " (path, default " state\-dir /bird\-state.conf )
The include file in which the controller keeps each prefix's intended
state for BIRD, so that it survives BIRD restarts and
.BR configure :
for a static protocol
.B raiz_v4
the constants
.B RAIZ_V4_WITHDRAWN
and
.BR RAIZ_V4_DRAIN .
Written atomically; must be readable by the user BIRD runs as.
.TP
.BR as " (number, default 0 = unset)"
The node's AS number (a private one, 64512 to 65534 or 4200000000 to
4294967294, unless the node has its own); needed for the drain prepend.
.TP
.BR prepend " (number, 0 to 10, default 3)"
How many times the node's AS is prepended to the path while draining.
Giving it requires
.BR as .
.TP
.BR med " (number, default 1000)"
The MED set while draining.
.TP
.BR router\-id " (IPv4 address, default: BIRD picks one)"
BIRD's router id in the generated configuration.
.TP
.B neighbors
An array of objects, one per BGP session to a host ISP router, for the
generated configuration:
.RS
.TP
.BR name " (string, required)"
The BIRD protocol name, e.g.
.BR isp1_v4 :
letters, digits and underscores, not starting with a digit.
.TP
.BR address " (IP address, required)"
The ISP router's address; its family is the session's family.
.TP
.BR as " (number, required)"
The ISP's AS.
.TP
.BR local\-address " (IP address)"
The node's address on the session, of the same family.
.TP
.BR interface " (string)"
The interface the session runs over.
.TP
.BR multihop " (number, 0 to 255, default 0)"
0 for a directly connected neighbor.
.TP
.BR password " (string)"
TCP\-MD5 password.
.TP
.BR bfd " (boolean, default " true )
Run BFD on the session, so that a dead node is noticed in a fraction of a
second.
.TP
.BR export\-limit " (number, default 0)"
Export limit; 0 means the number of prefixes exported on the session.
.RE
.SH PREFIXES
An array of objects, one per anycast prefix the node announces.
.TP
.BR prefix " (string, required)"
The prefix, e.g.
.B \(dq192.0.2.0/24\(dq
or
.BR \(dq2001:db8::/48\(dq ;
host bits must be zero.
Each prefix may appear once.
.TP
.BR static\-protocol " (string, required)"
The BIRD static protocol that originates the prefix
.RB ( "route 192.0.2.0/24 blackhole" ),
which the controller enables and disables: letters, digits and
underscores, not starting with a digit, at most 50 characters, and unique
(also ignoring case, since the state file upper\-cases it).
.TP
.BR bgp " (array of strings)"
The BGP protocols that export the prefix; the controller checks that each
established one does (or, withdrawn, does not).
When
.B bird.neighbors
is given, each must be one of them, of the prefix's family.
Without
.BR bgp ,
the prefix goes to every neighbor of its family.
.TP
.BR services " (array of strings, default: every service)"
The services the prefix depends on: it is announced only while all of them
are usable.
By default a DNS failure withdraws both the /24 and the /48; list a
per\-family service to withdraw only the prefix whose family is broken.
.SH SERVICES
An array of objects, one per health\-checked service.
Without
.BR services ,
there is one service named
.B dns
made of every probe.
.TP
.BR name " (string, required)"
1 to 63 characters without blanks; unique.
.TP
.BR probes " (array of strings, default: every probe)"
The names of the probes (see
.BR PROBES )
run together in each round.
.TP
.BR interval " (duration, 50 ms to 1 h, default 0.5 s)"
Time between rounds while nothing is wrong (and while down).
.TP
.BR fast\-interval " (duration, default 0.1 s)"
Time to the next round after a round that was not entirely good; at most
.BR interval .
After a hard failure the confirming round starts at once.
.TP
.BR rise " (number, 1 to 100, default 3)"
Good rounds in a row before a service that was down (or is starting) is up.
.TP
.BR fall " (number, 1 to 100, default 2)"
Bad rounds in a row before an up service is down; also the number of not
entirely good rounds before it is degraded.
.TP
.BR hold\-down " (duration, default 1 s)"
The least time a service stays down before it may come back.
.TP
.BR degraded " (" keep ", " drain " or " withdraw ", default " keep )
What a degraded service (some probes fail, others answer, e.g. UDP lost
under a flood while TCP answers) means for its prefixes: stay announced,
announce with the drain attributes, or withdraw.
The default does not withdraw a node that is merely busy.
.TP
.B damping
Flap damping (after RFC 2439), an object, or
.B false
to turn it off:
.RS
.TP
.BR penalty " (number, default 1000)"
Added each time the service goes from announced to withdrawn.
.TP
.BR suppress " (number, default 2000)"
Above this the service is suppressed: its prefixes stay withdrawn.
.TP
.BR reuse " (number, default 750)"
Below this a suppressed service is released; must be below
.BR suppress .
.TP
.BR half\-life " (duration, default 60 s)"
The penalty halves in this time.
.TP
.BR max\-suppress " (duration, default 10 min)"
The longest a suppression may last; the penalty is capped at
.BR reuse " \(mu 2^(" max\-suppress / half\-life ),
which must exceed
.BR suppress .
.RE
.PP
The controller's timing with these defaults, and the worst\-case formula,
are in
.BR raiz\-controller (8),
TIMING.
