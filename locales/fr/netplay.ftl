# Les mots de netplay en français. Un message par ligne ; chaque message a
# son jumeau dans locales/en/netplay.ftl, avec les mêmes paramètres
# (tests/suite/catalogues.rs). Le vocabulaire est celui du cours : mode connecté,
# mode non connecté, port éphémère, octets, « Connexion reçue de ».
# Typographie : espace insécable (U+00A0) avant « : ; ? ! », à l'intérieur
# des guillemets « », entre un nombre et son unité, entre les milliers ;
# virgule décimale. Les lignes Python, les appels système et les options
# ne se traduisent pas : c'est ce qu'on tape.

## Étapes de la socket (src/report/human.rs)

step-socket = socket({ $family }, { $socktype })   socket { $proto } { $family_name }
step-setsockopt = setsockopt({ $name }, { $set })   relu : { $value }
step-reuseaddr-default = (par défaut pour un serveur TCP de netplay : au redémarrage, bind() réussit malgré TIME_WAIT)
step-read-option = { $name } = { $value }   ({ $why })
step-reuseaddr-off = désactivée (--no-reuse-addr) : un redémarrage échoue tant que d'anciennes connexions attendent en TIME_WAIT
step-option-default = la valeur par défaut du système, laissée telle quelle
step-v6only-dual = la valeur par défaut du système : double pile, les pairs IPv4 atteignent aussi cette socket, comme ::ffff:a.b.c.d
step-v6only-only = la valeur par défaut du système : pairs IPv6 seulement, les pairs IPv4 ne peuvent pas joindre cette socket
step-bind = bind({ $addr })
step-listen = listen({ $backlog })
step-listen-capped = listen({ $backlog })   le noyau la limite à { $effective } ({ $setting })
step-resolve = résolution de { $host } → { $addrs }
step-connect = connect({ $addr })
port-note-zero = port 0 : le système choisira
port-note-service = le port { $port } est le port connu de { $service } (0-1023 sont réservés)
port-note-reserved = le port { $port } est réservé (0-1023 sont les ports connus)
step-no-listen = pas de listen(), pas d'accept()
step-no-listen-why = UDP n'a pas de connexions : chaque datagramme, de n'importe qui, arrive sur cette seule socket

## Le serveur est prêt

listening-tcp = ● en écoute sur { $local } (TCP)
listening-udp = ● socket associée à { $local } (UDP)
reach-every-interface = { $ip } désigne toutes les interfaces : d'autres machines peuvent maintenant { $proto ->
        [tcp] se connecter au
       *[udp] envoyer au
    } port { $port }.
reach-ipv6-loopback = { $ip } est l'adresse IPv6 de la machine locale (localhost) : seule cette machine peut { $proto ->
        [tcp] s'y connecter
       *[udp] lui envoyer des datagrammes
    }, et seulement en IPv6 : un client qui vise 127.0.0.1 n'arrive pas jusqu'ici (IPV6_V6ONLY ne compte que pour ::, qui accepte aussi IPv4 quand elle vaut 0) ; --host :: ouvre le serveur aux autres machines.
reach-loopback = { $ip } est l'adresse de la machine locale (localhost) : seule cette machine peut { $proto ->
        [tcp] s'y connecter
       *[udp] lui envoyer des datagrammes
    } ; --host 0.0.0.0 ouvre le serveur aux autres machines.
reach-ipv6-loopback-nc = { $ip } est l'adresse IPv6 de la machine locale (localhost) : seule cette machine peut { $proto ->
        [tcp] s'y connecter
       *[udp] lui envoyer des datagrammes
    }, et seulement en IPv6 : un client qui vise 127.0.0.1 n'arrive pas jusqu'ici (IPV6_V6ONLY ne compte que pour ::, qui accepte aussi IPv4 quand elle vaut 0) ; `{ $command }` ouvre le serveur aux autres machines.
reach-loopback-nc = { $ip } est l'adresse de la machine locale (localhost) : seule cette machine peut { $proto ->
        [tcp] s'y connecter
       *[udp] lui envoyer des datagrammes
    } ; `{ $command }` ouvre le serveur aux autres machines.
accept-queue-empty = ⧗ file d'attente d'accept() vide : accept() a pris toutes les connexions en attente
accept-queue-full = ⧗ file d'attente d'accept() pleine : { $queued } connexions attendent accept(), listen({ $backlog }) (Linux en garde backlog + 1) ; le noyau ignore désormais les SYN des nouveaux clients : ils réessaient, et leur connect() attend
accept-queue = ⧗ file d'attente d'accept() : { $queued } { $queued ->
        [one] connexion établie
       *[other] connexions établies
    } par le noyau, en attente d'accept() (listen({ $backlog }))

## La socket d'un client UDP

udp-connected-socket = ● socket UDP connectée { $local } → { $peer }
udp-sending-from = ● envoi depuis { $local } vers { $peer } (UDP, mode non connecté)
udp-port-asked = le port { $port } est celui demandé (--source-port)
udp-port-at-bind = le port { $port } est éphémère : le système l'a choisi au bind()
udp-port-at-connect = le port { $port } est éphémère : le système l'a choisi au connect()
udp-port-at-sendto = le port { $port } est éphémère : le système l'a choisi au premier sendto(), la socket n'en avait pas
udp-connected-what = connect() n'a rien envoyé : il a fixé le pair, donc le noyau rejette les datagrammes de toute autre adresse, et un ICMP port unreachable venu du pair apparaît comme « connexion refusée »
udp-unconnected-what = chaque sendto() nomme sa destination ; rien ne dit à l'émetteur si quelqu'un reçoit un datagramme
udp-unbound = { $local_ip } signifie que la socket n'est associée à aucune adresse à elle : chaque datagramme part avec l'adresse de l'interface que prend sa route, donc { $peer_ip } voit { $seen }
udp-unbound-route = l'adresse de cette machine sur cette route
note-sentence = { $note }.

## Datagrammes

datagram-in = ← datagramme #{ $seq } de { $peer }
datagram-out = → datagramme #{ $seq } vers { $peer }
datagram-cut = { $arrived } octets arrivés, { $kept } gardés, { $discarded } jetés (plus long que --recv-size { $recv_size })
datagram-head = { $head } : { $size }   { $when }
datagram-whole = un datagramme est un message, entier : chacun est affiché depuis le décalage 0 (TCP montre les morceaux de recv() d'un seul flux)
udp-done = terminé à { $when } : { $sent } { $sent ->
        [one] datagramme envoyé
       *[other] datagrammes envoyés
    } ({ $bytes_out }), { $received } { $received ->
        [one] datagramme reçu
       *[other] datagrammes reçus
    } ({ $bytes_in })
udp-serve-summary = { $received } { $received ->
        [one] datagramme reçu
       *[other] datagrammes reçus
    } ({ $bytes_in }), { $sent } { $sent ->
        [one] envoyé
       *[other] envoyés
    } ({ $bytes_out })
udp-nothing-back = rien n'est revenu, et cela ne prouve rien : UDP n'a pas d'accusé de réception, donc un datagramme a pu être reçu, perdu, ou rejeté faute de socket associée à ce port ; --wait DURÉE attend les réponses
udp-refused-untold = rien n'est revenu : l'ICMP port unreachable ci-dessus est le système de { $host } qui rejette le datagramme, aucune socket n'étant associée à son port { $port } ; cette socket n'est pas connectée, elle n'en est donc jamais prévenue (son sendto() a réussi) ; avec --connect, l'appel suivant échouerait avec ECONNREFUSED
udp-nothing-back-within = rien n'est revenu en { $wait }, et cela ne prouve rien : UDP n'a pas d'accusé de réception, donc un datagramme a pu être reçu, perdu, ou rejeté faute de socket associée à ce port
serve-withheld = { $n } { $n ->
        [one] réponse non envoyée
       *[other] réponses non envoyées
    } (adresse du serveur lui-même ou falsifiée, --answer-rate, ou 3 fois ce que le pair a envoyé)
serve-ignored = { $n } { $n ->
        [one] datagramme ignoré
       *[other] datagrammes ignorés
    } (--allow / --deny)
serve-kernel-drops = { $n } { $n ->
        [one] datagramme rejeté
       *[other] datagrammes rejetés
    } par le noyau : ils sont arrivés quand le tampon de réception était plein (SO_RXQ_OVFL)
serve-scripts = script : { $passed } { $passed ->
        [one] passage réussi
       *[other] passages réussis
    }, { $failed } { $failed ->
        [one] échoué
       *[other] échoués
    }

## Connexions TCP

accepted = connexion reçue de { $peer }
accepted-line = { $tag } { $text } à { $when }   (adresse locale { $local } ; { $port } est le port éphémère du client)
connected-to = connecté à { $peer }
connected-line = { $tag } { $text } à { $when }   depuis { $local } ({ $origin })
origin-ephemeral = port éphémère { $port } choisi par le système
origin-asked = port { $port } demandé par --source-port, pas un port éphémère
bytes = { $n } { $n ->
        [one] octet
       *[other] octets
    }
recv-head = ← recv { $bytes }
send-head = → send { $bytes }
datagram-in-head = ← datagramme { $bytes }
datagram-out-head = → datagramme { $bytes }
chunk-detail = morceau { $chunk }, { $when }
chunk-detail-at = morceau { $chunk } au décalage { $offset }, { $when }
decode-first = { $label }{ $format } sur les { $size } premiers des { $len } octets :{" "}
decode-note = { $label }remarque :{" "}
chunk-label = { $tag } morceau { $chunk } :{" "}
relay-head = ⇉ relais de { $bytes } vers { $to } { $to ->
        [one] client
       *[other] clients
    }
dropped-drop = { $bytes } de { $from } abandonnés pour lui (--slow drop)
dropped-disconnect = déconnexion (--slow disconnect) ; { $bytes } de { $from } non envoyés
dropped-more = … et { $n } { $n ->
        [one] autre message ({ $bytes }) abandonné
       *[other] autres messages ({ $bytes }) abandonnés
    } pour lui depuis (--slow drop)
falling-behind = en retard ({ $queued } en attente, sa file est pleine) : { $what }
stopped-by = ■ arrêté par { $signal } à { $when }
summary-connections = { $n } { $n ->
        [one] connexion
       *[other] connexions
    } ({ $rejected } { $rejected ->
        [one] refusée
       *[other] refusées
    })
summary-in = { $bytes } reçus
summary-out = { $bytes } envoyés
summary-relays = { $n } { $n ->
        [one] relais
       *[other] relais
    }
summary-drops = { $n } { $n ->
        [one] message abandonné
       *[other] messages abandonnés
    }
summary-slow = { $n } { $n ->
        [one] client lent déconnecté
       *[other] clients lents déconnectés
    }
summary-stalls = { $n } { $n ->
        [one] client coupé
       *[other] clients coupés
    } faute de prendre des données
summary-scripts = script : { $passed } { $passed ->
        [one] réussi
       *[other] réussis
    }, { $failed } { $failed ->
        [one] échoué
       *[other] échoués
    }
list-separator = ,{" "}
closed = connexion fermée à { $when }, { $duration } après { $since } : { $bytes_in } reçus, { $bytes_out } envoyés
closed-why = connexion fermée à { $when }, { $duration } après { $since } : { $bytes_in } reçus, { $bytes_out } envoyés ({ $reason })
connect-failed = ✗ { $addr } : { $error }
all-sent-wait = … tout est envoyé ; attente des réponses pendant { $wait } (--wait)
all-sent-wait-nc = … tout est envoyé ; attente des réponses pendant { $wait } (-q)
all-sent-replies = … tout est envoyé ; attente de { $n } { $n ->
        [one] réponse
       *[other] réponses
    }, { $wait } au plus
eof = ← EOF : le pair a fini d'envoyer (recv a renvoyé 0 octet)
shutdown = → shutdown(SHUT_WR) : plus rien à envoyer (FIN)
rejected = ✗ connexion de { $peer } refusée : { $reason }
rejected-line = { $text }   (acceptée puis fermée aussitôt)
joins = rejoint la diffusion : { $clients } { $clients ->
        [one] client
       *[other] clients
    }
leaves = quitte la diffusion : { $clients } { $clients ->
        [one] client restant
       *[other] clients restants
    }
note = remarque : { $message }
error = erreur : { $message }
stdin = stdin
ipv4-mapped = { $addr } (IPv4 mappée : le pair IPv4 { $v4 })

## La démo (src/report/human.rs, src/report/tables.rs)

demo-part-tcp = TCP, le mode connecté : l'échange du cours
demo-part-udp = UDP, le mode non connecté : le même échange
demo-part-table = Ce qui diffère, mesuré pendant cette exécution
demo-part-head = ━━ { $number }/3  { $title } ━━
demo-pause = … appuyez sur Entrée pour passer à la partie { $number }/3 (Ctrl-D : continuer sans pause)
demo-label-server = serveur
demo-label-client = client

## Mesures de débit

bench-received = reçu
bench-sent = envoyé
bench-datagrams = ({ $n } datagrammes)
bench-head = ● mesure { $proto } { $route }
bench-head-udp = ● mesure UDP { $route }, datagrammes de { $size } octets
bench-head-udp-fast = ● mesure UDP { $route }, datagrammes de { $size } octets, au plus vite
bench-head-udp-rate = ● mesure UDP { $route }, datagrammes de { $size } octets, { $rate } au plus

## --explain : ce que fait chaque appel (src/report/explain.rs). Les lignes
## Python sont construites dans le code, les mêmes dans toutes les langues.

explain-socket = { $family } désigne des adresses { $version } ; { $mode }
explain-socket-tcp = SOCK_STREAM désigne TCP, le mode connecté : un flux d'octets fiable et ordonné entre deux extrémités.
explain-socket-udp = SOCK_DGRAM désigne UDP, le mode non connecté : des datagrammes séparés, sans connexion, sans garantie de livraison.
explain-listen = La socket devient une socket serveur : le noyau établit lui-même les connexions des clients et les garde dans une file d'attente jusqu'à ce qu'accept() les prenne, jusqu'à { $backlog } (Linux en garde une de plus) ; au-delà, il ignore leurs SYN, et les clients réessaient et attendent. --accept-delay montre la file qui se remplit.
explain-resolve = Un nom d'hôte devient une ou plusieurs adresses (IPv4 et/ou IPv6) : un client TCP les essaie dans l'ordre jusqu'à ce qu'une connexion aboutisse ; un datagramme UDP, qui n'apporte aucune réponse pour en juger, part vers la première.
explain-connect-tcp = connect() bloque jusqu'à la fin de la poignée de main TCP (SYN, SYN-ACK, ACK) avec le serveur, ou échoue ; le système donne à la socket un port local éphémère si aucun ne lui a été associé.
explain-connect-udp = Sur une socket UDP, connect() n'envoie rien et n'attend rien : il enregistre le pair, si bien que send() n'a pas besoin d'adresse, que le noyau rejette les datagrammes de toute autre adresse, et qu'un ICMP port unreachable venu du pair revient en ECONNREFUSED sur un send() ou un recv() suivant.
python-comment-no-listen = ni sock.listen() ni sock.accept() : l'appel suivant est sock.recvfrom()
python-comment-returns = renvoie { $n }
explain-no-listen = listen() et accept() existent pour les connexions, et UDP n'en a pas : pas de poignée de main à terminer, pas de file de clients en attente, pas de socket par client. Chaque datagramme, de n'importe qui, arrive sur cette seule socket associée ; recvfrom() dit qui l'a envoyé, et sendto() répond à cette adresse.
explain-udp-port = Un datagramme a besoin d'un port source : le premier { $call } a donc donné à la socket un port libre ; les réponses reviennent vers lui.
explain-udp-port-range = Un datagramme a besoin d'un port source : le premier { $call } a donc donné à la socket un port libre (de sa plage éphémère { $low }-{ $high }) ; les réponses reviennent vers lui.
explain-udp-unspecified = L'adresse reste { $ip } : une socket non connectée peut envoyer par n'importe quelle interface, et chaque datagramme part de celle que prend sa route.
explain-recvfrom = recvfrom() renvoie un datagramme, entier, et l'adresse de son expéditeur : UDP garde les limites des messages, là où le recv() de TCP renvoie n'importe quelle partie d'un flux. Un datagramme de plus de { $recv_size } octets est coupé, et le reste jeté.
explain-udp-recv-connected = Sur une socket UDP connectée, recv() renvoie un datagramme, entier, et seulement du pair connecté : le noyau rejette les autres.
explain-sendto = sendto() confie un datagramme au réseau et rend la main : ni connexion ni accusé de réception, donc rien ne dit à l'émetteur si quelqu'un l'a reçu.
explain-udp-send-connected = send() sur une socket UDP connectée envoie un datagramme au pair connecté ; il échoue avec ECONNREFUSED quand un précédent a fait revenir un ICMP port unreachable.
explain-truncated = recvfrom({ $recv_size }) prend un datagramme entier dans la file : ce qui ne tient pas dans { $recv_size } octets est jeté, pas gardé pour l'appel suivant comme le ferait TCP. Le MSG_TRUNC du noyau donne la vraie longueur.
explain-accept = accept() prend la connexion suivante dans la file et renvoie une nouvelle socket rien que pour ce client ; la socket d'écoute continue d'écouter.
explain-ephemeral = Pourquoi { $local } et pas { $peer } ? Le serveur est lié au port { $peer }, celui où il écoute ; côté client, la connexion a aussi besoin d'un port, et le système d'exploitation du client lui en a attribué un libre, temporaire : un port éphémère. L'adresse IP et le port de chaque côté identifient ensemble cette connexion.
explain-ephemeral-range = Pourquoi { $local } et pas { $peer } ? Le serveur est lié au port { $peer }, celui où il écoute ; côté client, la connexion a aussi besoin d'un port, et le système d'exploitation du client lui en a attribué un libre, temporaire : un port éphémère, de sa plage { $low }-{ $high }. L'adresse IP et le port de chaque côté identifient ensemble cette connexion.
explain-recv = recv() renvoie ce qui est arrivé jusque-là, au plus { $recv_size } octets : TCP transporte un flux d'octets, pas des messages, donc un send() peut arriver en plusieurs morceaux et plusieurs send() en un seul.
explain-recv-not-1024 = recv() renvoie ce qui est arrivé jusque-là, au plus { $recv_size } octets : TCP transporte un flux d'octets, pas des messages, donc un send() peut arriver en plusieurs morceaux et plusieurs send() en un seul. netplay demande { $recv_size } octets par appel là où le cours en demande 1024 : un tampon plus grand prend les mêmes octets en moins d'appels ; --recv-size 1024 fait comme le cours.
explain-send = send() copie les octets dans le tampon d'envoi du noyau et renvoie combien il en a pris ; TCP les livre dans l'ordre, mais le recv() du pair peut les découper autrement.
explain-sendall = sendall() appelle send() jusqu'à ce que chaque octet soit dans le tampon d'envoi du noyau ; TCP les livre dans l'ordre, mais le recv() du pair peut les découper autrement.
explain-decode-cut = Le morceau finit au milieu d'un caractère : UTF-8 l'écrit en plusieurs octets, et recv() a coupé le flux entre eux. Décodez une fois tous ses octets arrivés (gardez la fin pour le recv() suivant, ou utilisez codecs.getincrementaldecoder).
explain-eof = recv() a renvoyé b'' : le pair a appelé shutdown(SHUT_WR) ou close() ; plus aucun octet ne viendra de lui.
explain-shutdown = shutdown(SHUT_WR) envoie un FIN : une fois que le pair a lu tout ce qui le précède, son recv() renvoie b''. La lecture marche toujours dans l'autre sens (une demi-fermeture).
explain-close-server = close() libère seulement la socket de cette connexion : la socket d'écoute en est une autre, et son port n'est pas touché.
explain-close-client = close() libère la socket.
explain-time-wait-ours = Ce côté a envoyé le premier FIN, donc le noyau garde la connexion (son couple d'adresses et de ports) en TIME_WAIT pendant { $seconds } s, pour qu'aucun paquet en retard ne soit pris pour celui d'une nouvelle connexion (`{ $command }` la montre).
explain-time-wait-ours-while = Ce côté a envoyé le premier FIN, donc le noyau garde la connexion (son couple d'adresses et de ports) en TIME_WAIT un moment, pour qu'aucun paquet en retard ne soit pris pour celui d'une nouvelle connexion (`{ $command }` la montre).
explain-time-wait-theirs = Le pair a envoyé le premier FIN, donc TIME_WAIT est de son côté, pas ici.
explain-so-reuseport = SO_REUSEPORT permet à plusieurs sockets de s'associer à la même adresse et au même port ; le noyau répartit le trafic entre elles.
explain-v6only-off = IPV6_V6ONLY = 0, c'est la double pile : une socket IPv6 associée à :: reçoit aussi les pairs IPv4, montrés comme adresses IPv4 mappées ::ffff:a.b.c.d.
explain-v6only-on = IPV6_V6ONLY = 1 : cette socket ne parle qu'IPv6 ; les pairs IPv4 ne peuvent pas l'atteindre.
explain-so-rcvbuf = SO_RCVBUF est la file de réception de la socket, en octets (Linux double ce qui est demandé, pour sa propre gestion, jusqu'à deux fois net.core.rmem_max) : un datagramme qui arrive quand elle est pleine est rejeté, et personne n'est prévenu.
explain-so-rxq-ovfl = SO_RXQ_OVFL (40 sous Linux ; le module socket de Python ne la nomme pas) fait porter à chaque datagramme reçu, dans un message de contrôle, le nombre de datagrammes que le noyau a rejetés pour cette socket parce que son tampon de réception était plein : le seul moyen pour le récepteur d'apprendre ces pertes.
explain-udp-segment = UDP_SEGMENT (GSO) : un seul send() d'un long tampon devient des datagrammes de cette taille, découpés par le noyau ; bien moins d'appels pour les mêmes datagrammes.
explain-udp-gro = UDP_GRO : des datagrammes d'un même émetteur arrivés ensemble peuvent sortir d'un seul recvmsg(), collés, avec leur taille dans un message de contrôle.
explain-option = Une option de socket.
explain-bind = bind() associe la socket à une adresse et un port : { $host } ; { $port }.
explain-bind-any = { $ip } désigne toutes les interfaces de la machine
explain-bind-loopback = { $ip } est l'adresse de la machine locale (localhost) : seule cette machine peut s'en servir
explain-bind-local = { $ip } est une adresse de cette machine
explain-bind-port-zero = le port 0 demande au système de choisir un port libre
explain-bind-port = le port { $port } est celui où les pairs trouveront la socket
explain-reuseaddr-linux = SO_REUSEADDR permet à bind() de prendre un port que seules des connexions occupent, comme celles qu'un serveur précédent a fermées et qui attendent en TIME_WAIT pendant 60 s : sous Linux, seulement si ce serveur l'avait activée lui aussi (TIME_WAIT garde son réglage). Elle ne permet pas à deux sockets d'écouter sur la même adresse et le même port. Les serveurs TCP de netplay l'activent par défaut, comme la std de Rust, tokio et l'asyncio de Python ; --no-reuse-addr montre le redémarrage qui échoue.
explain-reuseaddr-unix = SO_REUSEADDR permet à bind() de prendre un port que des connexions d'un serveur précédent occupent encore en TIME_WAIT, pour qu'un serveur relancé n'échoue pas avec « adresse déjà utilisée ». Les serveurs TCP de netplay l'activent par défaut, comme la std de Rust et tokio.
explain-reuseaddr-windows = Sous Windows, SO_REUSEADDR permet à une socket de s'associer à un port qu'une autre socket utilise, même si elle écoute (le trafic de l'autre peut alors lui arriver), donc netplay la laisse désactivée : sans elle, un serveur redémarré s'associe quand même à côté de ses anciennes connexions en TIME_WAIT. SO_EXCLUSIVEADDRUSE est l'option stricte : aucune autre socket ne peut s'associer au port, pas même après un redémarrage tant que d'anciennes connexions restent.

## Le tableau de la démo (src/report/tables.rs)

row-boundaries = limites des messages : { $sends } send() de { $size } octets
row-boundaries-tcp = { $calls }. { $verdict }
row-boundaries-tcp-fewer = Un seul flux : les limites entre les envois ont disparu.
row-boundaries-tcp-more = Plus de morceaux que d'envois : un flux se coupe n'importe où.
row-boundaries-tcp-equal = Un recv() par envoi cette fois, par le seul hasard du minutage : TCP ne garde pas les limites.
row-boundaries-udp = { $datagrams } datagrammes, { $calls } : chaque envoi est un message, entier.
row-recvfrom-each = { $calls } appels recvfrom() de { $size } octets chacun
row-never-came = { $n } { $n ->
        [one] n'est jamais arrivé.
       *[other] ne sont jamais arrivés.
    }
row-truncation = un message de { $message } octets, un tampon de { $buffer } octets
row-truncation-tcp = { $calls } : tout est là ; ce qui ne tenait pas a attendu le recv() suivant.
row-truncation-udp = 1 recvfrom({ $buffer }) : { $arrived } octets arrivés, { $kept } gardés, { $discarded } jetés par le noyau ; rien ne reste pour un appel suivant.
row-truncation-udp-other = { $calls } ; { $discarded } octets jetés.
row-closed-port = un port fermé : { $port }, rien n'y est associé
row-closed-port-tcp = connect() : { $attempt }
row-closed-port-udp = sendto(), socket non connectée : { $unconnected } connect() puis send() et recv() : { $connected }
row-ports = adresses et ports
row-ports-range = adresses et ports (plage éphémère { $low }-{ $high })
row-ports-tcp = serveur { $server } : son port vient de bind(port 0). Client { $client } : un port éphémère, choisi au connect().
row-ports-udp = serveur { $server } : son port vient de bind(port 0). Client { $client } : un port éphémère, choisi au premier sendto().
row-netem = à travers netem : { $loss } % de pertes, { $delay } ms de délai
row-netem-skipped = ignorée : { $reason }
row-netem-tcp = { $delivery } ; les paquets perdus ont été renvoyés : en retard, jamais perdus.
row-netem-udp = { $delivery } ; rien ne renvoie un datagramme perdu.
row-calls-none = aucun appel { $call } n'a renvoyé de données
row-calls-one = 1 appel { $call } : les { $bytes } octets d'un coup
row-calls = { $calls } appels { $call } : { $list } = { $bytes } octets
attempt-refused = refusé ({ $error }) après { $after }.
attempt-silent = aucune erreur, et rien n'est revenu en { $after }.
attempt-answered = quelque chose a répondu après { $after }.
attempt-failed = échec après { $after } : { $error }.
attempt-failed-unknown = échec après { $after } : erreur inconnue.
delivery = { $delivered } { $what ->
        [messages] messages
       *[datagrams] datagrammes
    } sur { $sent } arrivés ({ $lost } perdus), { $order ->
        [in] dans l'ordre
       *[out] dans le désordre
    }, le dernier après { $duration }

## Résumés des mesures de débit (src/report/tables.rs)

bench-label-sent = envoyé
bench-label-received = reçu
bench-label-lost = perdus
bench-moved = { $label } { $bytes } en { $duration } = { $rate }
bench-tcp-sent = { $moved }   { $calls } appels send()
bench-tcp-sent-of = { $moved }   { $calls } appels send() de { $size }
bench-tcp-received = { $moved }   { $calls } appels recv()
bench-tcp-no-count = { $label } (le récepteur n'a pas renvoyé de compte : ce n'est pas un serveur de mesure netplay ?)
bench-udp-no-report = { $label } (le rapport du récepteur n'est jamais revenu : un netplay udp bench --serve tourne-t-il à cette adresse ?)
bench-datagrams-line = { $label } { $n } datagrammes en { $duration } = { $per_second }/s, { $rate }
bench-lost = { $label } { $lost } { $of } ({ $percent } %), { $reordered } dans le désordre, { $duplicated } en double
bench-lost-of = sur { $sent } envoyés
bench-lost-uncounted = (le compte de l'émetteur n'est jamais venu : compté jusqu'au dernier numéro de séquence vu)

## Ce que dit le serveur TCP (src/tcp/serve.rs, src/tcp/hub.rs, src/net/limits.rs, src/net/access.rs)

notice-open-files-not-raised = limite de fichiers ouverts non relevée : { $error }
notice-open-files-raised = limite de fichiers ouverts relevée de { $before } à { $after } (la limite dure) : chaque client prend un fichier ouvert
notice-max-conns-above-files = --max-conns { $max } dépasse la limite de fichiers ouverts ({ $limit }) : c'est cette limite qui refusera des clients en premier
notice-accept-queue-unseen = la file d'attente d'accept() ne peut pas être montrée ici : { $error }
notice-stdin-no-thread = l'entrée standard n'est pas lue : pas de thread pour elle
notice-stdin-broadcast = chaque ligne tapée ici est envoyée à tous les clients connectés
notice-no-client = aucun client n'est connecté : cette ligne ({ $bytes }) n'a pas été envoyée
reject-max-conns = --max-conns { $max } atteint : { $max } clients sont connectés
reject-denied = refusé par --deny { $rule }
reject-not-allowed = absent de --allow { $rules }
reason-server-stopping = le serveur s'arrête
reason-closed-by-server = fermée par le serveur
reason-idle = inactive : rien reçu pendant { $after } ({ $flag })
reason-quit-after = temps écoulé : stdin était fini, et le client l'avait reçu en entier depuis { $after } (--quit-after)
reason-probe = fermée aussitôt : la sonde demandait seulement si quelque chose écoute
error-scan-none-open = aucun des ports { $ports } de { $host } n'a pris de connexion
reason-stalled = n'a rien pris pendant { $after } avec { $waiting } en attente (--stall-timeout)
reason-fell-behind = déconnecté : il a pris du retard, { $waiting } en attente (--slow disconnect)
error-accept = accept sur { $local } : { $error }
error-recv = recv : { $error }
error-send-stalled = envoi à { $peer } : { $reason }
reason-input-shrank = { $what } a rétréci pendant l'envoi : { $size } au début, { $sent } envoyés
error-input-shrank = { $what } a rétréci pendant l'envoi : { $size } au début de l'envoi, fin après { $sent } ; le pair a reçu un flux coupé, pas le fichier (la connexion a été réinitialisée pour qu'il le sache)
notice-cut-unacknowledged = la connexion a été coupée par un RST : { $total } confiés à la socket n'avaient pas été acquittés et ne sont pas comptés en sortie ({ $flight } étaient en route, que le pair peut encore lire ; { $unsent } ne sont jamais partis)
limit-open-files = la limite de fichiers ouverts de ce processus ({ $soft }, `ulimit -n`) est atteinte : chaque client prend un descripteur ; { $raise }
limit-raise-soft = relevez-la avec `ulimit -n { $hard }` (la limite dure) avant de lancer netplay
limit-at-hard = c'est déjà la limite dure ; relevez celle-ci (`ulimit -Hn` en root, LimitNOFILE= dans une unité systemd, nofile dans /etc/security/limits.conf), ou limitez les clients avec --max-conns en dessous de { $below }
limit-system-files = la limite de fichiers ouverts du système est atteinte ; relevez-la avec `sysctl -w fs.file-max=N` (en root)
limit-socket-memory = le noyau n'a plus de mémoire pour les sockets ; fermez d'autres connexions ou relevez net.ipv4.tcp_mem


## Le chemin direct du relais brut (src/tcp/direct.rs) : ce que le noyau a déplacé.
## $call est sendfile(2) ou splice(2) ; $input est stdin ou --file CHEMIN.

direct-kind-pipe = un tube
direct-kind-file = un fichier
direct-kind-terminal = un terminal
direct-kind-socket = une socket
direct-kind-device = un périphérique
direct-path-out = socket → stdout ({ $kind })
direct-path-via-pipe = socket → tube → stdout ({ $kind })
direct-path-in = { $input } ({ $kind }) → socket
direct-part = { $kernel } sur { $total }
notice-direct-received = { $amount } reçus avec { $call }, { $path } : déplacés par le noyau, jamais copiés dans la mémoire de netplay
notice-direct-sent = { $amount } envoyés avec { $call }, { $path } : déplacés par le noyau, jamais copiés dans la mémoire de netplay
notice-direct-mapped-kept = { $amount } envoyés avec send(2) depuis un mmap(2) de { $path } : copiés une fois, par le noyau, des pages du fichier vers la socket (plus rapide ici que sendfile dans les essais sur les premiers Mio)
notice-direct-mapped-kept-local = { $amount } envoyés avec send(2) depuis un mmap(2) de { $path } : copiés une fois, par le noyau, des pages du fichier vers la socket (la voie pour un pair sur cette machine, dont le récepteur prend les octets d'une copie, en fragments plus grands que les pages de sendfile, avec moins de travail ; NETPLAY_SEND=trials essaie plutôt les deux voies)
notice-direct-mapped-trials = { $amount } envoyés avec send(2) depuis un mmap(2) de { $path } dans les essais qui ont choisi la voie : sendfile n'était pas plus lent ici, et a envoyé le reste
notice-direct-mapped-forced = { $amount } envoyés avec send(2) depuis un mmap(2) de { $path } (NETPLAY_SEND=mmap) : copiés une fois, par le noyau, des pages du fichier vers la socket
notice-direct-pipe-read = { $amount } envoyés avec read(2) et send(2), { $path } : lus jusqu'à { $size } par appel (la taille du tube), copiés dans la mémoire de netplay

## Erreurs (src/net/mod.rs) : ce qui a échoué, et où

net-resolve = impossible de résoudre l'hôte « { $host } » : { $error }
net-no-address-in-family = l'hôte « { $host } » n'a pas d'adresse { $family }
net-bind-family = l'hôte « { $host } » n'a pas d'adresse { $family }, et --bind { $bind } est { $family } : une socket n'atteint que les adresses de sa famille
net-bind-family-nc = l'hôte « { $host } » n'a pas d'adresse { $family }, et -s { $bind } est { $family } : une socket n'atteint que les adresses de sa famille
net-socket = { $op } { $addr } : { $error }
net-all-attempts = connexion à { $host } port { $port } : { $errors }
net-idle = { $op } { $addr } : rien pendant { $after }
net-unsent = envoi à { $addr } : { $error } après l'envoi de { $sent } de l'entrée
net-in-use = bind { $addr } : adresse déjà utilisée
op-socket = socket pour
op-bind = bind
op-listen = listen sur
op-accept = accept sur
op-getsockname = getsockname pour
op-getpeername = getpeername pour
op-set-nonblocking = passage en mode non bloquant
op-clone-socket = copie de la socket pour
op-dup = dup
op-register = enregistrement dans la boucle d'événements
op-set-timeout = réglage du délai de réception pour
op-shutdown = shutdown vers
op-close = close
op-recv = recv depuis
op-send = send vers
op-recvfrom = recvfrom sur
op-sendto = sendto
op-recvmsg = recvmsg sur
op-recv-connected-udp = recv (UDP connecté) depuis
op-send-connected-udp = send (UDP connecté) vers
op-recvfrom-sending = recvfrom sur la socket qui envoie vers
op-read-count = lecture du compte depuis
op-set-option = réglage de { $option } pour
op-read-option = lecture de { $option } pour
os-connection-refused = connexion refusée
os-connection-reset = connexion réinitialisée par le pair
os-connection-aborted = connexion interrompue
os-broken-pipe = tube cassé : le pair a fermé la connexion
os-addr-in-use = adresse déjà utilisée
os-addr-not-available = adresse non disponible sur cette machine
os-permission-denied = permission refusée
os-timed-out = délai dépassé
os-host-unreachable = hôte injoignable
os-network-unreachable = réseau injoignable
os-not-found = fichier ou dossier introuvable
op-waiting-data = attente de données de
op-waiting-datagrams = attente de datagrammes sur
op-waiting-datagrams-from = attente de datagrammes de
op-connect-udp = connect (UDP) vers

## Ce que dit le serveur UDP (src/udp/serve.rs, src/udp/guard.rs)

notice-udp-typing = ce qui est tapé ici n'est pas envoyé : UDP n'a pas de connexion pour l'envoyer ; une réponse part vers chaque émetteur avec --reply TEXTE ou --echo
notice-udp-stdin = l'entrée standard part vers l'émetteur du dernier datagramme, un datagramme par lecture, telle quelle ; elle n'est lue qu'une fois un datagramme arrivé (comme nc -u -l) : ce qui vient avant attend
notice-ignored = les datagrammes de { $from } sont ignorés, ni affichés ni répondus : { $why } (dit une fois par émetteur)
notice-not-answering = pas de réponse à { $peer } : { $why } (dit une fois par pair ; le compte est dans le résumé)
notice-drops-uncounted = ce système ne compte pas les datagrammes qu'il rejette quand le tampon de réception est plein (Linux le fait, avec SO_RXQ_OVFL) : ici, ces pertes restent invisibles
notice-kernel-dropped = le noyau a rejeté { $new } { $new ->
        [one] datagramme de plus
       *[other] datagrammes de plus
    } ({ $total } en tout) : ils sont arrivés quand le tampon de réception de cette socket (SO_RCVBUF) était plein, et UDP ne le dit à personne, pas même à l'émetteur
error-recvfrom = recvfrom : { $error }
error-sendto = sendto { $peer } : { $error }
withheld-own-address = c'est l'adresse et le port de ce serveur lui-même (une source falsifiée) : la réponse reviendrait ici et serait répondue encore, sans fin
withheld-impossible = { $why } : aucun vrai émetteur ne l'a (une source falsifiée)
source-port-zero = le port 0 n'est le port de personne
source-unspecified = l'adresse non spécifiée (0.0.0.0 ou ::) n'est celle de personne ; une réponse envoyée là arrive sur cette machine
source-multicast = une adresse multicast est un groupe, pas un émetteur
source-broadcast = l'adresse de diffusion, c'est tout le monde, pas un émetteur
withheld-rate = il envoie plus vite que --answer-rate { $rate } réponses par seconde ; celles en trop restent sans réponse. Cela arrête une boucle avec un autre serveur qui répond à tout (deux serveurs --echo) et borne un déluge vers une adresse falsifiée ; --answer-rate 0 lève la limite
withheld-amplification = { $answer } octets de plus feraient { $total } octets envoyés pour { $received } reçus (en-têtes IP et UDP comptés), plus de { $times } fois : l'adresse source d'UDP n'est pas prouvée, et un minuscule datagramme falsifié ne doit pas faire envoyer beaucoup plus par ce serveur à quelqu'un d'autre (amplification)
withheld-too-many-peers = plus de { $max } émetteurs dans les { $seconds } dernières secondes (sources falsifiées ?) : les nouveaux émetteurs n'ont pas de réponse tant que certains ne se sont pas tus aussi longtemps

## Les clients et la démo (src/tcp/connect.rs, src/udp/send.rs, src/demo/*)

notice-tcp-type-lines = tapez des lignes pour les envoyer, chacune avec un send() ; Ctrl-D termine votre saisie : shutdown(SHUT_WR), et le serveur lit EOF
notice-udp-type-lines = tapez des lignes pour les envoyer, chacune en un datagramme ; Ctrl-D termine votre saisie
notice-udp-many-addresses = { $host } a { $count } adresses ; un datagramme n'apporte aucune réponse qui dirait laquelle marche, alors tous partent vers la première, { $peer } (-4 ou -6 choisit la famille)
notice-udp-connect-first = le connect() d'UDP ne demande rien au pair, il réussit donc sur { $addr } que quelque chose y écoute ou non ; les autres adresses de { $host } ne sont pas essayées (-4 ou -6 choisit la famille)
notice-step-no-terminal = --step : l'entrée standard n'est pas un terminal, personne ne peut appuyer sur Entrée : la démo continue sans pause
netem-thread-panicked = le thread de l'espace de noms a paniqué
netem-needs-root = un espace de noms réseau à soi demande d'être root (unshare : { $error })
netem-run-failed = l'exécution dans l'espace de noms a échoué : { $error }
netem-tool-missing = `{ $name }` n'est pas installé (il vient avec iproute2)
netem-tool-no-start = `{ $command }` n'a pas pu démarrer : { $error }
netem-tool-failed = `{ $command }` a échoué : { $said }
netem-no-netem = `{ $command }` a échoué : { $said } ; ce noyau n'a pas netem (sch_netem n'est ni intégré ni un module)
notice-raw-in-turn = --raw : les clients sont servis un à la fois, comme avec nc -lk, pour que leurs octets ne se mêlent jamais sur la sortie standard ; le suivant attend dans la file d'accept (--broadcast les relaie ensemble à la place)
notice-reuse-addr-default = --reuse-addr ne change plus rien : tcp serve active SO_REUSEADDR par défaut (--no-reuse-addr la laisse désactivée)
table-cell-tcp = TCP (SOCK_STREAM) : { $text }
table-cell-udp = UDP (SOCK_DGRAM) : { $text }

## La ligne qu'affiche un échec (src/exit.rs)

error-line = netplay : { $what }
error-with-hint = { $error } ; { $hint }
error-cause-separator =  :{" "}
error-writing-output = écriture de la sortie : { $error }
error-input-cut = la sortie standard a été fermée (son lecteur est parti) avant que toute l'entrée soit envoyée : { $sent } de l'entrée avaient été envoyés, et la connexion a été coupée par un RST pour que le pair sache que son flux n'est pas entier
error-input-unacknowledged = la sortie standard a été fermée (son lecteur est parti) avant que le pair ait toute l'entrée : ses { $sent } avaient tous été confiés à la socket, mais { $owed } n'avaient pas été acquittés, et la connexion a été coupée par un RST qui les jette, pour que le pair sache que son flux n'est pas entier
error-input-unread = la sortie standard a été fermée (son lecteur est parti) avant que le pair ait lu toute l'entrée : ses { $sent } avaient tous été confiés à la socket et acquittés, mais { $unread } attendaient encore, non lus, dans la socket du pair quand la connexion a été fermée par un RST (les octets du pair restés non lus ici), et un pair qui reçoit le RST peut cesser de les lire : le nc d'OpenBSD le fait
notice-stdout-given-up = la sortie standard ne prenait plus rien quand l'exécution s'est arrêtée : la suite du compte rendu est ici, sur la sortie d'erreur
notice-not-shown = { $n } { $n ->
        [one] événement n'a pas été montré
       *[other] événements n'ont pas été montrés
    } (données, datagrammes, paquets) : l'exécution s'arrêtait, et l'affichage était en retard sur eux
error-payload-unwritten = la sortie standard ne prenait plus rien quand l'exécution s'est arrêtée : { $bytes } reçus ne l'ont pas atteinte
error-payload-unwritten-about = la sortie standard ne prenait plus rien quand l'exécution s'est arrêtée : de ce qui a été reçu, { $least } à { $most } ne l'ont pas atteinte (sa dernière écriture en a pris une part inconnue)
error-payload-passed-over = la sortie standard était en retard quand l'exécution s'est arrêtée : { $bytes } reçus ont été laissés de côté et ne l'ont pas atteinte, pour que l'arrêt tienne dans son délai
hint-resolve = vérifiez l'orthographe, ou donnez une adresse IP comme 127.0.0.1
hint-no-address-in-family = retirez -4/-6, ou donnez une adresse de l'autre famille
hint-bind-family-v4 = liez une adresse IPv6 (--bind ::), ou donnez un hôte qui a une adresse IPv4
hint-bind-family-v6 = liez une adresse IPv4 (--bind 0.0.0.0), ou donnez un hôte qui a une adresse IPv6
hint-bind-family-v4-nc = liez une adresse IPv6 (-s ::), ou donnez un hôte qui a une adresse IPv4
hint-bind-family-v6-nc = liez une adresse IPv4 (-s 0.0.0.0), ou donnez un hôte qui a une adresse IPv6
hint-idle = augmentez { $flag }, ou vérifiez que le pair envoie quelque chose
hint-privileged = les ports en dessous de 1024 sont privilégiés : s'y associer demande d'être root ou CAP_NET_BIND_SERVICE ; essayez --port 12345
hint-privileged-service = les ports en dessous de 1024 sont privilégiés ({ $port } est celui de { $service }) : s'y associer demande d'être root ou CAP_NET_BIND_SERVICE ; essayez --port 12345
hint-privileged-nc = les ports en dessous de 1024 sont privilégiés : s'y associer demande d'être root ou CAP_NET_BIND_SERVICE ; essayez `{ $command }`
hint-privileged-service-nc = les ports en dessous de 1024 sont privilégiés ({ $port } est celui de { $service }) : s'y associer demande d'être root ou CAP_NET_BIND_SERVICE ; essayez `{ $command }`
hint-not-this-machine = cette adresse n'est pas une de celles de cette machine ; essayez 127.0.0.1, 0.0.0.0 ou ::
hint-udp-refused = un ICMP port unreachable est revenu : aucune socket n'est associée au port UDP { $port } de { $ip } ; le serveur est-il lancé, et sur ce port ?
hint-tcp-refused = rien n'écoute sur le port TCP { $port } de { $ip } : le serveur est-il lancé, et sur ce port ?
hint-tcp-refused-here = rien n'écoute sur le port TCP { $port } : le serveur est-il lancé, et sur ce port ?
hint-other-protocol-udp = aucune socket TCP n'écoute sur le port { $port }, mais une socket UDP y est associée{ $by } : les ports TCP et UDP sont distincts. Pour lui envoyer un datagramme : `{ $command }`
hint-other-protocol-tcp = aucune socket UDP n'est associée au port { $port }, mais un serveur TCP y écoute{ $by } : les ports TCP et UDP sont distincts. Pour vous y connecter : `{ $command }`
hint-other-family = rien n'écoute sur le port { $proto } { $port } de { $ip }, mais { $proto ->
        [TCP] un serveur TCP écoute sur { $holder }{ $by } : la boucle locale d'IPv6 et celle d'IPv4 sont deux adresses différentes. Pour le joindre : `{ $command }`
       *[UDP] une socket UDP est associée à { $holder }{ $by } : la boucle locale d'IPv6 et celle d'IPv4 sont deux adresses différentes. Pour la joindre : `{ $command }`
    }
hint-by-program = {" "}(`{ $command }`, pid { $pid })
hint-timed-out = pas de réponse dans le délai de --timeout : vérifiez l'adresse, ou augmentez --timeout
hint-timed-out-nc = pas de réponse dans le délai de -w : vérifiez l'adresse, ou augmentez -w
hint-reset = le pair a réinitialisé la connexion (RST) : un pair le fait quand il ferme alors que des octets qu'il n'a pas lus attendent (un serveur qui fait accept() puis close() sans recv(), comme le premier serveur du cours), ou quand son programme meurt ; faites lire au pair tout ce qu'on lui envoie avant qu'il ferme, puis réessayez
hint-other-port = choisissez un autre --port (0 laisse le système choisir)
hint-other-source-port = choisissez un autre --source-port, ou aucun (le système en prend alors un libre)
hint-other-port-nc = choisissez un autre port (`{ $command }` laisse le système en choisir un, et -v dit lequel)
hint-other-source-port-nc = choisissez un autre port source (-p), ou aucun (le système en prend alors un libre)
hint-program = `{ $command }` (pid { $pid })
hint-another-program = un autre programme (lequel, cet utilisateur ne peut peut-être pas le voir : en root, `ss -lntup` le nomme)
hint-in-use-tcp-listens = { $program } écoute sur le port TCP { $port } : arrêtez-le, ou { $other }
hint-in-use-udp-bound = { $program } a une socket associée au port UDP { $port } (UDP n'a pas de TIME_WAIT : le port est libre dès que cette socket se ferme) : arrêtez-le, ou { $other }
hint-in-use-open = { $open } { $open ->
        [one] connexion ouverte utilise
       *[other] connexions ouvertes utilisent
    } le port { $port } (le port d'un client, ou des connexions d'un serveur précédent encore ouvertes) : fermez-les, ou { $other }
hint-time-wait-server = { $n } { $n ->
        [one] connexion fermée par un serveur précédent attend
       *[other] connexions fermées par un serveur précédent attendent
    } en TIME_WAIT
hint-time-wait-server-len = { $n } { $n ->
        [one] connexion fermée par un serveur précédent attend en TIME_WAIT (TIME_WAIT dure { $len } s sur ce système ; elle finit
       *[other] connexions fermées par un serveur précédent attendent en TIME_WAIT (TIME_WAIT dure { $len } s sur ce système ; la dernière finit
    } dans { $left } s au plus)
hint-time-wait-client = { $n } { $n ->
        [one] connexion précédente depuis ce port attend
       *[other] connexions précédentes depuis ce port attendent
    } en TIME_WAIT
hint-time-wait-client-len = { $n } { $n ->
        [one] connexion précédente depuis ce port attend en TIME_WAIT (TIME_WAIT dure { $len } s sur ce système ; elle finit
       *[other] connexions précédentes depuis ce port attendent en TIME_WAIT (TIME_WAIT dure { $len } s sur ce système ; la dernière finit
    } dans { $left } s au plus)
hint-time-wait-no-reuse = { $what }, et cette socket n'a pas activé SO_REUSEADDR (--no-reuse-addr) : retirez --no-reuse-addr (bind() pourra alors prendre le port à côté d'elles, si ce serveur l'avait activée aussi), attendez, ou { $other }
hint-time-wait-reuse = { $what }, laissées par une socket qui n'avait pas activé SO_REUSEADDR (TIME_WAIT garde ce réglage), donc celle-ci doit attendre bien qu'elle l'active : attendez, ou { $other }
hint-time-wait-wait = { $what } : attendez, ou { $other }
hint-in-use-tcp-unknown = une autre socket occupe le port TCP { $port }, ou des connexions d'un serveur précédent attendent en TIME_WAIT : arrêtez-la, attendez, ou { $other }
hint-in-use-udp-unknown = une autre socket est associée au port UDP { $port } (UDP n'a pas de TIME_WAIT) : arrêtez-la, ou { $other }

## Une ligne de commande fautive (src/net/addr.rs, src/units.rs, src/cli.rs, src/input.rs)

port-out-of-range = le port { $port } est hors limites : un port est un nombre de 16 bits, de 0 à 65535
port-not-a-number = le port « { $text } » n'est pas un nombre : un port est un nombre de 16 bits, de 0 à 65535
target-port-zero = on ne peut ni se connecter ni envoyer au port 0 : 0 veut seulement dire « laisser le système choisir » quand un serveur fait bind() ; donnez le port que le serveur a affiché (« en écoute sur 127.0.0.1:PORT »)
target-swapped = « { $first } { $port } » semble inversé : l'hôte vient d'abord, puis le port : { $port } { $first }
target-host-missing = « { $first } » ressemble à un port, et l'hôte manque : donnez HÔTE PORT, par exemple 127.0.0.1 { $first }
target-no-bracket = « { $first } » a un « [ » sans « ] » ; écrivez [::1]:12345
target-v6-no-port = « { $first } » n'a pas de port ; écrivez [{ $host }]:PORT ou donnez le port après
target-v6 = « { $first } » est une adresse IPv6 sans port : une adresse IPv6 avec un port s'écrit entre crochets, [{ $first }]:PORT, ou donnez le port en second argument
target-v6-guess = « { $first } » est une adresse IPv6 sans port, ou bien { $ip } et le port { $last } : avec un port, une adresse IPv6 s'écrit entre crochets, [{ $first }]:PORT ; si { $last } est le port, écrivez [{ $ip }]:{ $last }, ou donnez-le à part : { $ip } { $last }
target-v6-port = « { $first } » n'est pas une adresse (un groupe d'une adresse IPv6 a au plus 4 chiffres hexadécimaux) : si { $last } est le port, écrivez [{ $ip }]:{ $last }, ou donnez-le à part : { $ip } { $last }
target-not-v6 = « { $first } » n'est ni une adresse IPv6 ni HÔTE:PORT : une adresse IPv6 a au plus 8 groupes de 1 à 4 chiffres hexadécimaux (::1, fe80::1%eth0), et avec un port elle s'écrit entre crochets : [::1]:12345
target-no-port = « { $first } » n'a pas de port ; donnez HÔTE PORT ou HÔTE:PORT
host-with-port = « { $host } » est une adresse et un port là où seule une adresse va : { $ip }, et le port { $port } à part
host-bad-ipv4 = « { $host } » n'est pas une adresse IPv4 : écrivez quatre nombres de 0 à 255, comme 127.0.0.1 (un nom d'hôte a aussi des lettres)
host-bad-ipv6 = « { $host } » n'est pas une adresse IPv6 : elle s'écrit comme ::1, 2001:db8::1 ou fe80::1%eth0
host-empty-zone = « { $host } » a une zone vide après % ; écrivez fe80::1%eth0 ou fe80::1%2
host-bad-zone = « { $host } » : { $why }
host-bad-name = « { $host } » n'est pas un nom d'hôte : un nom a des lettres, des chiffres, « - », « _ » et des points (un nom international s'écrit sous sa forme xn--)
target-port-twice = « { $first } » a son port ({ $own }) et { $port } est donné aussi : donnez-le une fois, { $first } ou { $ip } { $port }
usage-bind-with-port = --bind « { $host } » a un port : --bind prend une adresse ({ $ip }) ; un port local va dans --source-port
usage-host-with-port = --host « { $host } » a un port : --host prend une adresse ({ $ip }) ; le port va dans --port
duration-negative = « { $text } » n'est pas une durée : elle doit valoir 0 ou plus
duration-too-big = « { $text } » n'est pas une durée qu'une horloge peut compter ; essayez 500ms, 2s ou 1m
duration-bad = « { $text } » n'est pas une durée ; essayez 500ms, 2s ou 1m
duration-bad-in = « { $text } » n'est pas une durée : utilisez de { $low } à { $high }, écrit comme 500ms, 2s ou 1m
duration-too-long = « { $text } » est trop long : utilisez de { $low } à { $high }
duration-too-short = « { $text } » est trop court : utilisez de { $low } à { $high }
size-below = { $size } octets, c'est hors limites : utilisez { $low } ou plus
size-out-of-range = { $size } octets, c'est hors limites : utilisez de { $low } à { $high }
size-overflow = « { $text } » fait plus d'octets qu'un compte de 64 bits n'en contient (16 Eio moins 1 octet)
size-bad-hex = « { $text } » n'est pas une taille hexadécimale ; essayez 0x100
size-bad = « { $text } » n'est pas une taille ; essayez 1024, 64K ou 1MiB
rate-bad = « { $text } » n'est pas un débit ; essayez 0 (au plus vite), 500K, 100M ou 1G (bits par seconde)
usage-needs-protocol = « { $first } » demande d'abord son protocole : `{ $tcp }` (TCP, le mode connecté) ou `{ $udp }` (UDP, le mode non connecté)
usage-one-dash-port = « -p{ $text } » se lit -p « { $text } » : un seul tiret est pour les options d'une lettre ; écrivez --port 12345 ou -p 12345
usage-delay-too-long = « { $text } » est un délai trop long : utilisez de 0 à 1000 (millisecondes)
usage-delay-bad = « { $text } » n'est pas un délai : utilisez de 0 à 1000 (millisecondes)
usage-queue-zero = une file de 0 octet ne pourrait rien contenir ; utilisez de 1 octet à 1GiB
usage-count-zero = --count 0 n'enverrait rien ; utilisez 1 ou plus
usage-count-bad = « { $text } » n'est pas un compte : utilisez un nombre entier, 1 ou plus
usage-percent-bad = « { $text } » n'est pas un pourcentage de 0 à 100
usage-bytes-literal = { $text } ressemble à un littéral bytes de Python, mais { $why }
usage-width-bad = « { $text } » n'est pas une largeur de ligne ; utilisez 8, 16 ou 32
usage-decode-empty = « { $text } » ne décrit aucun octet ; donnez au moins un code, comme « >h »
usage-answer-rate-bad = « { $text } » n'est pas un nombre de réponses par seconde : utilisez un nombre entier de 0 (pas de limite) à { $max }
usage-recv-size-zero = une taille de réception de 0 ne lirait rien ; utilisez de 1 octet à 16MiB
usage-send-size-zero = une taille d'envoi de 0 n'enverrait rien ; utilisez de 1 octet à 16MiB
usage-no-command = aucune commande ; essayez d'abord `netplay demo`, puis `netplay tcp serve` (voir netplay --help)
usage-tip-udp-connect = UDP n'a pas de connexion à ouvrir : udp send envoie des datagrammes, et avec --connect depuis une socket UDP connectée : `{ $command }`
usage-tip-tcp-send = un client TCP se connecte d'abord, puis envoie : `{ $command }`
usage-tip-serve = un serveur, c'est `serve` : `{ $command }`
usage-tip-message = pour l'envoyer, donnez-le après -m : `{ $command }`
usage-tip-message-split = le shell a coupé « { $words } » à chaque espace : mettez-le entre guillemets, après -m : `{ $command }`
usage-tip-family-after = { $flag } appartient à la sous-commande ; seules les options d'affichage (--json, --lang, --explain…) peuvent venir avant elle : `{ $command }`
usage-tip-nc = { $habit } ; `netplay nc` prend les options de nc comme nc
nc-habit-listen = le -l de nc écoute : ici, un serveur, c'est `{ $command }`
nc-habit-listen-serve = serve écoute déjà : retirez -l
nc-habit-udp = le -u de nc, c'est UDP : ici `{ $command }`
nc-habit-udp-already = udp, c'est déjà UDP : retirez -u
nc-habit-keep = le -k de nc continue d'écouter : tcp serve continue après chaque client sauf avec --once, et --sequential les sert un à la fois, comme nc -lk
nc-habit-zero = le -z de nc vérifie seulement qu'un port prend une connexion, ce qu'aucune sous-commande native ne fait seule
nc-habit-wait-connect = le -w SECONDES de nc : ici --timeout DURÉE (--timeout 5s) renonce à se connecter, et finit quand rien ne passe, après DURÉE
nc-habit-wait-serve = le -w SECONDES de nc : ici --idle-timeout DURÉE (--idle-timeout 5s) ferme un client qui n'a rien envoyé pendant DURÉE
nc-habit-wait-send = le -w SECONDES de nc : ici --wait DURÉE (--wait 1s) reçoit encore les réponses pendant DURÉE
nc-habit-shutdown = le -N de nc envoie un FIN à la fin de l'entrée : ici --half-close always
nc-habit-source-port = le -p de nc est le port source du client : ici --source-port PORT
nc-habit-verbose = le -v de nc dit la connexion : netplay dit déjà chaque étape (-q les cache)
nc-habit-other = { $flag } est une option de nc
nc-habit-quit = -q est le --quiet de netplay et ne prend pas de nombre ; le -q SECONDES de nc (finir ce temps après l'entrée) est `netplay nc -q SECONDES`, et son FIN à la fin de l'entrée --half-close always
nc-habit-quit-port = { $quit }. Ici, { $value } serait pris pour le port ; en silence, sur le port { $value } : `{ $command }`
usage-hex-json-raw = --json et --raw sont pour tcp et udp ; netplay hex écrit toujours un affichage hexadécimal
usage-renderer-unavailable = ce processeur ne peut pas exécuter le rendu hexadécimal { $name } (il lui faut AVX-512 VBMI2) ; essayez auto ou portable (--hex-renderer ou NETPLAY_HEX_RENDERER)
usage-demo-raw = --raw ne s'applique pas à la démo : elle montre des comptes rendus, pas des données ; essayez --json
usage-v6only-ipv4 = --v6only s'applique aux sockets IPv6, et { $ip } est en IPv4 ; ajoutez -6 ou --host ::
usage-not-whole = ce n'est pas un nombre entier : donnez-en un de { $low } à { $high }
usage-out-of-range = hors limites : donnez de { $low } à { $high }
usage-count-stdin = --count { $count } répète une entrée qui a une fin (-m, --hex, --file ou --stdin-datagram) ; les lignes de l'entrée standard sont envoyées une fois, comme elles viennent
usage-bench-serve-only = { $flag } est pour le récepteur (--serve) ; un émetteur prend HÔTE PORT, et --local choisit son propre port
usage-bench-which-end = quel côté ? donnez HÔTE PORT pour envoyer, --serve pour recevoir, ou --local pour les deux dans ce processus
usage-bench-size = --size { $size } est hors limites : un datagramme de mesure porte son en-tête de { $header } octets et au plus { $max } octets en tout
usage-datagram-too-long = { $what } : { $size } en { $family } ({ $why }) ; il n'a pas été envoyé : raccourcissez-le ou coupez-le, ou utilisez tcp pour un flux
max-datagram-v4 = 65535 moins l'en-tête IPv4 de 20 octets et l'en-tête UDP de 8 octets
max-datagram-v6 = 65535 moins l'en-tête UDP de 8 octets
too-long-exact = { $len } octets, plus que les { $max } qu'un datagramme peut porter
too-long-stream = plus long que les { $max } octets qu'un datagramme peut porter
input-message = message { $n }
input-file = --file { $path }
input-stdin-line = ligne { $n } de l'entrée standard
input-read = lecture de { $what }
input-read-file = lecture de --file { $path }
input-read-stdin = lecture de l'entrée standard
input-open-file = ouverture de --file { $path }
input-read-reply-file = lecture de --reply-file { $path }
input-reply-file-is-dir = --reply-file { $path } est un dossier ; donnez le chemin du fichier qui contient la réponse
input-file-is-dir = --file { $path } est un dossier ; donnez le chemin d'un fichier à envoyer
hex-not-digit = --hex « { $text } » : « { $c } » en position { $at } n'est pas un chiffre hexadécimal ; écrivez les octets comme « 01 02 ff »
hex-odd = --hex « { $text } » : { $n } chiffres hexadécimaux, c'est un nombre impair ; chaque octet en prend deux (écrivez 0f, pas f)
input-stdin-datagram = l'entrée standard (--stdin-datagram)

## netplay seul (src/cli.rs), et une ligne de commande fautive : clap écrit
## ses erreurs en anglais ; celles-ci servent aux autres langues.

greeting = netplay montre chaque étape de la socket, chaque adresse, chaque port et chaque octet d'un échange TCP ou UDP.
    {""}
    Pour commencer :
      netplay demo                     TCP et UDP côte à côte, en une commande
      netplay demo --explain           la même, avec le Python du cours sous chaque étape
    {""}
    Puis, dans deux terminaux :
      netplay tcp serve                le serveur du cours sur 127.0.0.1:12345
      netplay tcp connect 127.0.0.1 12345 -m 'Hello serveur !'
    {""}
    Toutes les commandes et options : netplay --help
    {""}
clap-error = { $what }
clap-invalid-value = valeur « { $value } » invalide pour « { $arg } »
clap-value-required = « { $arg } » demande une valeur, et aucune n'a été donnée
clap-value-validation = valeur « { $value } » invalide pour « { $arg } » : { $why }
clap-unknown-argument = argument inattendu « { $arg } »
clap-conflict = « { $arg } » ne peut pas être utilisé avec « { $prior } »
clap-missing = il manque { $args }
clap-invalid-subcommand = sous-commande inconnue « { $word } »
clap-possible-values = valeurs possibles : { $values }
clap-tip-argument = un argument proche existe : « { $arg } »
clap-tip-subcommand = une sous-commande proche existe : « { $word } »
clap-tip = { $tip }
clap-usage = utilisation : { $usage }
clap-more = voir `{ $command } --help`

## La légende de l'affichage hexadécimal (src/hexdump.rs, netplay --legend)

legend-title = Catégories d'octets dans l'affichage hexadécimal (couleur, glyphe du texte) :
legend-name-null = Nul
legend-name-printable = Imprimable
legend-name-control = Contrôle
legend-name-non-ascii = Non-ASCII
legend-null = octet NUL (0), non imprimable
legend-printable =
    ASCII imprimable (32-126), montré tel quel ; le caractère
    espace (32) reste un espace
legend-control =
    les autres octets non imprimables (1-31, 127), par leur symbole
    de contrôle : ␉ TAB (9), ␊ LF (10), ␍ CR (13), ␡ DEL (127)
legend-non-ascii =
    non ASCII (128-255) ; un caractère UTF-8 se montre tel quel,
    sauf s'il peut cacher, joindre ou déplacer des cases (format,
    marque, écriture de droite à gauche)

## netplay hex et --decode (src/hex.rs, src/decode.rs)

hex-skip = saut de { $n } octets de { $name }
hex-has-bytes = { $name } a { $size } octets
hex-ended-after = { $name } s'est terminé après { $size } octets
hex-nothing-to-show = rien à montrer : { $what }, et --skip commence à l'octet { $skip }
hex-numbering-ends = l'affichage s'arrête au décalage { $offset }, le dernier octet qu'un décalage de 64 bits peut numéroter
hex-read = lecture de { $name }
hex-open = ouverture de { $name }
hex-at-the-end = à la fin de l'entrée :
decode-too-short = le format « { $format } » demande { $needed } octets, il y en a { $got }
format-bad = format struct « { $format } » invalide : { $problem } en position { $position } ; { $hint }
format-unknown-code = code « { $code } » inconnu
format-native-only = le code « { $code } » demande les tailles natives
format-misplaced-order = le caractère d'ordre des octets « { $code } » n'est pas au début
format-count-without-code = un nombre de répétitions non suivi directement d'un code
format-too-large = taille totale au-delà de la limite de { $limit } Mio
format-hint-codes = les codes valides sont x c b B ? h H i I l L q Q e f d s p, et n N P sans préfixe d'ordre des octets
format-hint-native = n, N et P n'existent qu'en mode natif : retirez le préfixe ou utilisez « @ »
format-hint-order = seul le premier caractère peut fixer l'ordre des octets, par exemple « <hh », pas « h<h »
format-hint-count = écrivez le code juste après son nombre, par exemple « 4s » ou « 3h »
format-hint-smaller = utilisez des nombres de répétitions plus petits

## Les paquets (--packets : src/report/packets.rs, src/capture/ladder.rs, src/packets.rs, src/demo/*)

demo-label-wire = réseau
tcp-info = rtt { $rtt } (±{ $rtt_var }), cwnd { $cwnd }, { $retransmits } retransmis, { $segs_in } { $segs_in ->
        [one] segment reçu
       *[other] segments reçus
    }, { $segs_out } envoyés, { $acked } acquittés
tcp-info-close = rtt { $rtt } (±{ $rtt_var }), cwnd { $cwnd }, { $retransmits } retransmis
tcp-info-line = TCP_INFO à sa dernière lecture : { $info }
wire-total = sur le réseau, { $from } → { $to } : { $segments } { $segments ->
        [one] segment
       *[other] segments
    }, { $data } de données, { $acked } acquittés
bench-tcp-info = { $label } en { $state } : { $info }
bench-progress-tcp-info = rtt { $rtt } cwnd { $cwnd } retr { $retransmits }
ladder-unscaled = (sans facteur d'échelle)
ladder-for = pour { $what }
ladder-fragments = en { $n } fragments IP
notice-packets-loopback-only = --packets ne surveille que { $interface } : les paquets des clients d'autres machines passent par une autre interface et ne sont pas montrés
notice-capture-drops = capture de paquets : le noyau a rejeté { $n } paquets (la file de la capture était pleine) : il en manque dans ceux qui sont montrés
notice-capture-kernel-dropped = capture de paquets : le noyau a rejeté { $new } paquets de plus ({ $total } en tout) : la file de la capture était pleine, et il en manque dans ceux qui sont montrés
notice-capture-unshown = capture de paquets : { $new } paquets de plus non montrés ({ $total } en tout) : ils arrivaient plus vite qu'on ne peut les montrer
notice-capture-unshown-pcap = capture de paquets : { $new } paquets de plus non montrés ({ $total } en tout) : ils arrivaient plus vite qu'on ne peut les montrer ; le fichier pcap les a
notice-capture-unshown-total = capture de paquets : { $n } paquets n'ont pas été montrés : ils arrivaient plus vite qu'on ne peut les montrer (au plus { $limit } attendent de l'être)
notice-capture-unshown-total-pcap = capture de paquets : { $n } paquets n'ont pas été montrés : ils arrivaient plus vite qu'on ne peut les montrer (au plus { $limit } attendent de l'être) ; le fichier pcap les a
notice-pcap-fifo-waits = --pcap { $path } est une FIFO : netplay attend ici qu'un lecteur l'ouvre (tcpdump -r { $path }, ou wireshark -k -i { $path }) avant de continuer
pcap-create-failed = --pcap { $path } : { $error }
pcap-write-failed = --pcap { $path } : l'écriture a échoué : { $error } ; les paquets suivants ne sont pas dans le fichier, et l'exécution finira avec le code de sortie 1
pcap-write-failed-end = --pcap { $path } : l'écriture des derniers paquets a échoué : { $error } ; le fichier est coupé
notice-demo-private-netns = --packets : la démo tourne dans un espace de noms réseau à elle (un espace de noms utilisateur non privilégié), où elle peut capturer ses paquets sans être root ; 127.0.0.1 n'y désigne que ce processus
usage-packets-where = --packets et --pcap sont pour tcp serve, tcp connect, udp serve, udp send et demo
attempt-and-wire = { $attempt } { $wire }
wire-pieces = Sur le réseau : { $pieces }.
wire-pieces-none = aucun { $what ->
        [segment] segment de données
       *[datagram] datagramme
    }
wire-pieces-same = { $n } { $what ->
        [segment] { $n ->
            [one] segment de données
           *[other] segments de données
        }
       *[datagram] { $n ->
            [one] datagramme
           *[other] datagrammes
        }
    } de { $size } octets
wire-pieces-list = { $n } { $what ->
        [segment] { $n ->
            [one] segment de données
           *[other] segments de données
        }
       *[datagram] { $n ->
            [one] datagramme
           *[other] datagrammes
        }
    } : { $list } octets
wire-segments-joined = Sur le réseau : { $pieces }, un par send() : le tampon de la socket réceptrice les a réunis, recv() les a pris ensemble.
wire-segments-each = Sur le réseau : { $pieces }, un par send().
wire-segments-fewer = Sur le réseau : { $pieces } : le noyau émetteur a réuni des envois en moins de segments.
wire-segments-more = Sur le réseau : { $pieces } : le noyau émetteur a coupé le flux en plus de segments que d'envois.
wire-datagrams-each = Sur le réseau : { $pieces }, un par sendto().
wire-whole = Sur le réseau : 1 datagramme de { $length } octets, entier : c'est recvfrom({ $buffer }) qui l'a coupé, chez le récepteur.
wire-answered = Sur le réseau : { $what ->
        [syn] le SYN
       *[datagram] le datagramme
    }, auquel a répondu { $answer }.
wire-nothing-back = Sur le réseau : { $what ->
        [syn] le SYN
       *[datagram] le datagramme
    } ; rien n'est revenu.
wire-unconnected-told = Sur le réseau : le datagramme, auquel a répondu { $answer }, jamais signalé à la socket non connectée.
wire-connected-told = Sur le réseau : le même { $answer }, rapporté à la socket connectée : c'est l'erreur { $error }.
explain-packet-syn = SYN : connect() envoie ce premier segment de la poignée de main en trois temps ; il porte le numéro de séquence initial du client (aléatoire, montré comme 0) et ses options : le plus grand segment qu'il accepte (MSS : 65495 octets sur la boucle locale IPv4, 65476 en IPv6 : la MTU de 65536 octets moins les en-têtes), SACK, horodatage et facteur d'échelle de fenêtre.
explain-packet-syn-ack = SYN,ACK : le noyau du serveur répond seul au SYN, avant tout accept() : son propre numéro de séquence initial et ack 1 : le SYN du client a pris le numéro de séquence 0 et ne porte aucun octet, si bien que le premier octet de données est le numéro 1. Une fois l'ACK du client arrivé, la connexion attend dans la file de listen() jusqu'à ce qu'accept() la prenne.
explain-packet-ack = ACK : un segment sans données qui dit « j'ai tous les octets avant ce numéro » ; le premier du client termine la poignée de main en trois temps, et c'est là que connect() rend la main.
explain-packet-data = PSH,ACK avec des octets : un segment qui porte des données. Linux met PSH (« passe ça à l'application tout de suite ») sur le dernier segment de chaque send(), si bien qu'un petit send() part d'habitude en un seul segment PSH (l'algorithme de Nagle peut le retenir et le fusionner avec le suivant tant que des octets précédents ne sont pas acquittés) ; le récepteur acquitte avec le numéro du prochain octet qu'il attend.
explain-packet-fin = FIN : shutdown(SHUT_WR) ou close() dit « je n'enverrai plus rien » ; il prend un numéro de séquence, le pair l'acquitte, et le recv() du pair renvoie b'' (fin du flux) une fois qu'il a lu les octets d'avant. Chaque sens est fermé par son propre FIN.
explain-packet-rst = RST : la connexion est refusée ou rompue. Un SYN vers un port où rien n'écoute reçoit RST,ACK et connect() échoue avec ECONNREFUSED (connexion refusée) ; close() avec des octets non lus dans le tampon de réception envoie aussi un RST, et le send() ou le recv() suivant du pair échoue avec ECONNRESET.
explain-packet-icmp-port-unreachable = ICMP port unreachable (type 3, code 3) : la réponse du noyau à un datagramme UDP pour un port où aucune socket n'est associée ; elle cite le début de ce datagramme. Une socket UDP connectée est prévenue (son send() ou son recv() suivant échoue avec ECONNREFUSED) ; une socket non connectée ne l'est jamais, si bien que son sendto() semble réussir.
explain-packet-icmpv6-port-unreachable = ICMPv6 destination unreachable, port unreachable (type 1, code 4) : la réponse d'IPv6 à un datagramme UDP pour un port où aucune socket n'est associée ; comme en IPv4, seule une socket UDP connectée est prévenue (ECONNREFUSED).
explain-packet-icmp = ICMP : les messages d'erreur et de contrôle du réseau ; une erreur cite le début du datagramme qu'elle concerne.
explain-packet-udp = Datagramme UDP : un send() ou un sendto() fait un datagramme sur le réseau, avec un en-tête de 8 octets (ports, longueur, somme de contrôle), sans poignée de main, sans accusé de réception, sans retransmission ; recv() le reçoit entier ou, si son tampon est plus petit, son début, et le reste est jeté.
capture-not-permitted = la capture de paquets demande CAP_NET_RAW (root) : lancez en root, ou accordez-la une fois pour toutes avec `sudo setcap cap_net_raw+ep "$(command -v netplay)"`
capture-skipped = { $why } ; cette exécution continue sans les paquets
capture-unsupported = la capture de paquets (--packets, --pcap) n'existe que sous Linux pour l'instant
capture-unknown-interface = capture de paquets : aucune interface réseau ne s'appelle « { $name } » (voir `ip link`)
capture-no-interface = capture de paquets : aucune interface réseau n'a l'adresse { $address }
capture-io = capture de paquets sur { $interface } : { $op } : { $error }
capture-too-many-ports = filtre de paquets : { $count } ports à surveiller, un filtre du noyau en contient { $max } au plus
netns-refused = un espace de noms réseau privé demande des espaces de noms utilisateur non privilégiés, que ce système refuse ({ $errno } : { $error }) ; lancez en root, ou donnez CAP_NET_RAW à netplay
netns-refused-because = un espace de noms réseau privé demande des espaces de noms utilisateur non privilégiés, que ce système refuse ({ $errno } : { $error } : { $why }) ; lancez en root, ou donnez CAP_NET_RAW à netplay
netns-restricted-apparmor = kernel.apparmor_restrict_unprivileged_userns = 1 : AppArmor (Ubuntu 23.10 et suivants) ne donne aucune capacité à un espace de noms utilisateur
netns-threaded = un espace de noms réseau privé doit être créé avant que le processus lance un second thread
netns-setup = espace de noms réseau privé : { $what } : { $error }
netns-loopback-down = espace de noms réseau privé : impossible d'activer lo ({ $error }) ; arrêt, car rien ne pourrait s'y connecter
netns-unsupported = un espace de noms réseau privé n'existe que sous Linux

## What differs by system (src/sys/)

step-reuseaddr-off-windows = désactivée, le choix sûr sous Windows : un redémarrage s'associe à côté des anciennes connexions sans elle, et avec elle une autre socket pourrait prendre le port
udp-connected-what-windows = connect() n'a rien envoyé : il a fixé le pair, donc le système rejette les datagrammes de toute autre adresse, et un ICMP port unreachable venu du pair apparaît comme « connexion réinitialisée » (WSAECONNRESET) sur un recv() suivant
udp-unconnected-what-windows = chaque sendto() nomme sa destination ; rien ne dit à l'émetteur qu'un datagramme est arrivé, mais Windows rapporte un ICMP port unreachable comme « connexion réinitialisée » (WSAECONNRESET) sur un recvfrom() suivant
explain-listen-macos = La socket devient une socket serveur : le noyau établit lui-même les connexions des clients et les garde dans une file d'attente jusqu'à ce qu'accept() les prenne, jusqu'à { $backlog } ; au-delà, il ignore leurs SYN, et les clients réessaient et attendent.
explain-listen-windows = La socket devient une socket serveur : le système établit lui-même les connexions des clients et les garde dans une file d'attente jusqu'à ce qu'accept() les prenne, jusqu'à { $backlog } ; au-delà, les nouveaux clients sont refusés aussitôt (WSAECONNREFUSED).
explain-connect-udp-windows = Sur une socket UDP, connect() n'envoie rien et n'attend rien : il enregistre le pair, si bien que send() n'a pas besoin d'adresse et que le système rejette les datagrammes de toute autre adresse. Un ICMP port unreachable venu du pair revient en WSAECONNRESET sur un recv() suivant ; sous Windows, une socket non connectée est prévenue aussi.
explain-udp-send-connected-windows = send() sur une socket UDP connectée envoie un datagramme au pair connecté ; quand un précédent a fait revenir un ICMP port unreachable, le recv() suivant échoue avec WSAECONNRESET.
explain-truncated-peek = recvfrom({ $recv_size }) prend un datagramme entier dans la file : ce qui ne tient pas dans { $recv_size } octets est jeté, pas gardé pour l'appel suivant comme le ferait TCP. netplay apprend la vraie longueur en regardant le datagramme juste avant (MSG_PEEK), avec la place du plus grand datagramme (65 536 octets).
explain-so-reuseport-other = SO_REUSEPORT permet à plusieurs sockets de s'associer à la même adresse et au même port ; contrairement à Linux, ce système ne répartit pas le trafic entre elles.
explain-so-rcvbuf-macos = SO_RCVBUF est la file de réception de la socket, en octets (macOS garde ce qui est demandé, jusqu'à kern.ipc.maxsockbuf) : un datagramme qui arrive quand elle est pleine est rejeté, et personne n'est prévenu.
explain-so-rcvbuf-other = SO_RCVBUF est la file de réception de la socket, en octets : un datagramme qui arrive quand elle est pleine est rejeté, et personne n'est prévenu.
notice-reuseaddr-windows = SO_REUSEADDR sous Windows permet à une autre socket de s'associer à ce port pendant que celle-ci l'utilise, et de prendre son trafic ; netplay ne l'active que parce que --reuse-addr l'a demandé
limit-at-hard-macos = c'est déjà la limite dure ; relevez celle-ci (`sudo launchctl limit maxfiles N N`, dans la limite de kern.maxfilesperproc), ou limitez les clients avec --max-conns en dessous de { $below }
limit-system-files-macos = la limite de fichiers ouverts du système est atteinte ; relevez-la avec `sudo sysctl -w kern.maxfiles=N`
limit-socket-memory-macos = le noyau n'a plus de mémoire pour les sockets ; fermez d'autres connexions
limit-socket-memory-windows = Windows n'a plus de ressources pour d'autres sockets (WSAENOBUFS) ; fermez d'autres connexions ou programmes
hint-privileged-macos = les ports en dessous de 1024 sont privilégiés sur une adresse précise : s'y associer demande d'être root (sudo) ; sur l'adresse joker (--host 0.0.0.0), tout utilisateur le peut ; essayez --port 12345
hint-privileged-service-macos = les ports en dessous de 1024 sont privilégiés ({ $port } est celui de { $service }) sur une adresse précise : s'y associer demande d'être root (sudo) ; sur l'adresse joker (--host 0.0.0.0), tout utilisateur le peut ; essayez --port 12345
hint-privileged-windows = Windows réserve des plages de ports (voir `netsh int ipv4 show excludedportrange protocol=tcp`), et un programme peut tenir un port avec SO_EXCLUSIVEADDRUSE ; essayez un autre --port, comme 12345
hint-privileged-macos-nc = les ports en dessous de 1024 sont privilégiés sur une adresse précise : s'y associer demande d'être root (sudo) ; sur l'adresse joker (`{ $wildcard }`), tout utilisateur le peut ; essayez `{ $command }`
hint-privileged-service-macos-nc = les ports en dessous de 1024 sont privilégiés ({ $port } est celui de { $service }) sur une adresse précise : s'y associer demande d'être root (sudo) ; sur l'adresse joker (`{ $wildcard }`), tout utilisateur le peut ; essayez `{ $command }`
hint-privileged-windows-nc = Windows réserve des plages de ports (voir `netsh int ipv4 show excludedportrange protocol=tcp`), et un programme peut tenir un port avec SO_EXCLUSIVEADDRUSE ; essayez un autre port, comme `{ $command }`
hint-udp-refused-windows = un ICMP port unreachable est revenu (Windows le rapporte en WSAECONNRESET, même sans --connect) : aucune socket n'est associée au port UDP { $port } de { $ip } ; le serveur est-il lancé, et sur ce port ?
hint-udp-refused-windows-nc = un ICMP port unreachable est revenu (Windows le rapporte en WSAECONNRESET) : aucune socket n'est associée au port UDP { $port } de { $ip } ; le serveur est-il lancé, et sur ce port ?
netem-not-here = les espaces de noms réseau et netem sont propres à Linux : ce système n'a pas de boucle locale privée à dégrader
notice-offload-unavailable = les délestages UDP (UDP_SEGMENT, UDP_GRO) sont propres à Linux : ici, un send() et un recv() par datagramme, comme avec --no-offload
notice-reuseport-unavailable = --reuse-port : ce système n'a pas de SO_REUSEPORT (il est propre à Linux et aux BSD) ; la socket est associée sans
pack-count = le format emballe { $expected } valeurs, { $got } données (struct.error « pack expected { $expected } items for packing »)
pack-range = le format « { $code } » demande { $low } <= nombre <= { $high }
pack-kind = la valeur { $position } doit être { $wanted ->
    [bytes] des octets (b'...')
    [float] un nombre
   *[other] un entier
}
pack-char = le format c demande un objet bytes de longueur 1
pack-float-too-large = nombre à virgule trop grand pour le format { $code }

## Scripts (--script ; src/script, docs/scripts.md)
script-error = { $file }:{ $line }:{ $column } : { $problem }
script-place = { $file }:{ $line }
script-failed = { $place } : le pair n'a pas suivi le script : { $why }
script-needs = `{ $step }` demande sur quoi agir, comme dans `{ $usage }`
script-takes-nothing = `{ $step }` ne prend rien après lui : écrivez `{ $usage }` seul
script-unknown-step = étape inconnue `{ $word }` : une étape commence par > (envoyer), < (attendre), <regex, <bytes, <struct, <eof, >struct, shutdown, close, reset, sleep, timeout, repeat ou end ; # commence un commentaire
script-arrow-space-expect = étape inconnue `{ $word }` : pour attendre le texte, mettez un espace après < (`< { $rest }`)
script-arrow-space-send = étape inconnue `{ $word }` : pour envoyer le texte, mettez un espace après > (`> { $rest }`)
script-trailing-space = la ligne finit par un espace ou une tabulation, qui serait envoyé ou attendu sans qu'on le voie : supprimez-le, ou écrivez-le \x20 (\t pour une tabulation)
script-escape-unknown = { $escape } n'est pas un échappement que Python connaît dans des bytes : écrivez \\ pour une barre oblique inverse ; les échappements sont \n \r \t \\ \' \" \xhh \ooo
script-escape-x = \x{ $hex } demande deux chiffres hexadécimaux, comme \x0a
script-escape-octal = \{ $digits } dépasse un octet (le plus grand est \377)
script-lone-backslash = la ligne finit par une barre oblique inverse seule : écrivez \\ pour une barre oblique inverse
script-literal-quote = un { $quote } dans le littéral le termine : écrivez \{ $quote }
script-literal-ascii = « { $char } » n'est pas de l'ASCII : un littéral b'...' ne prend que de l'ASCII (en Python aussi) ; écrivez ses octets, par exemple \x{ $hex }, ou enlevez le b'...' pour envoyer le texte en UTF-8
script-literal-unclosed = ce littéral b{ $quote }...{ $quote } n'a pas de { $quote } fermant
script-undefined = `{ $name }` n'est pas encore défini : une variable est liée par `as { $name }` ou un groupe de regex (?P<{ $name }>...) sur une ligne précédente (pour les accolades elles-mêmes, écrivez {"{{"} et {"}}"})
script-var-kind = `{ $name }` contient { $kind ->
    [bytes] des octets
    [float] un nombre à virgule
   *[other] un entier
} (lié ligne { $line }), et cette étape demande { $want ->
    [bytes] des octets
    [float] un nombre à virgule
   *[other] un entier
}
script-name-bad = `{ $text }` n'est pas un nom : un nom est fait de lettres, de chiffres et de _, sans chiffre au début, comme en Python
script-count-bad = `{ $text }` n'est pas un nombre d'octets : écrivez un nombre (4) ou une variable liée par <struct (n)
script-count-big = une étape prend au plus { $max } octets
script-value-bad = `{ $text }` n'est pas une valeur : écrivez un nombre (258, 0x102, 1.5), True, False, b'...', une variable ou len(variable)
script-struct-names = « { $format } » décode { $count } { $count ->
    [one] valeur
   *[other] valeurs
}, et { $names } { $names ->
    [one] nom est donné
   *[other] noms sont donnés
} après `as`
script-regex-bad = motif invalide : { $why }
script-regex-big = le motif est trop grand pour être suivi octet par octet (plus de 20 000 états) : simplifiez-le
script-timeout-zero = une étape doit pouvoir attendre : donnez un délai de 1ms ou plus
script-repeat-bad = `repeat { $text }` : écrivez `repeat until eof` ou `repeat N` (N à partir de 1)
script-repeat-open = ce repeat n'a pas de `end`
script-end-alone = `end` ferme un `repeat`, et aucun n'est ouvert
script-after-close = rien ne peut suivre le close de la ligne { $line } : la socket est fermée
script-close-in-loop = un close dans un repeat laisserait au tour suivant une socket fermée : placez-le après le `end`
script-loop-reads-nothing = `repeat until eof` demande une étape qui attend dans son corps : un tour qui ne lit rien n'atteindrait jamais l'EOF
script-loop-empty = ce repeat n'a aucune étape
script-empty = le script n'a aucune étape : écrivez-en une par ligne, comme `> Hello serveur !` (envoyer) ou `< Bonjour client !` (attendre)
script-expect-empty = n'attendre aucun octet ne vérifie rien : pour attendre l'EOF du pair, écrivez <eof
script-stream-only = `{ $step }` est pour TCP seulement : UDP n'a pas de connexion à fermer à moitié, à réinitialiser ni à terminer (EOF)
script-bytes-shown = { $repr } ({ $n } { $n ->
    [one] octet
   *[other] octets
})
script-expected-regex = des octets qui correspondent à rb'{ $pattern }'
script-expected-bytes = { $n } { $n ->
    [one] octet
   *[other] octets
}
script-expected-struct = struct.calcsize('{ $format }') = { $n } { $n ->
    [one] octet
   *[other] octets
}
script-expected-eof = EOF (recv renvoyant 0 octet)
script-why-differs = attendu { $expected }, reçu { $came } : ils diffèrent au décalage { $offset }
script-why-other = attendu { $expected }, reçu { $came }
script-why-nomatch = attendu { $expected }, reçu { $came }, qui ne peut pas correspondre à partir du décalage { $offset }
script-why-length = attendu un datagramme de { $expected }, reçu un de { $came }
script-why-eof = attendu { $expected } ; le pair a fermé son côté (EOF) après { $came }
script-why-timeout = attendu { $expected } ; en { $timeout }, seulement { $came } reçus
script-why-open = attendu { $expected } ; en { $timeout }, { $came } reçus correspondent pour l'instant, mais d'autres octets pourraient encore allonger la correspondance : terminez le motif par ce qui termine le message (\n, une longueur)
script-why-reset = le pair a réinitialisé la connexion ({ $error })
script-why-send-timeout = le pair n'a pris aucun octet pendant { $timeout } (sa fenêtre de réception est pleine)
script-why-count = `{ $name }` vaut { $n } : une étape prend de 0 à { $max }
script-why-too-much = plus de { $max } reçus sans décider l'étape
script-why-loop-silent = rien n'est venu en { $timeout }, ni octets pour un autre tour ni l'EOF qui termine la boucle
script-why-loop-stuck = un tour n'a pris aucun octet au pair : la boucle n'atteindrait jamais l'EOF
script-why-no-peer = rien n'est encore arrivé : un datagramme va à l'expéditeur du dernier reçu
script-why-unknown = l'étape a échoué
script-step-passed = ✓ ligne { $line } : { $text }
script-step-failed = ✗ ligne { $line } : { $text }
script-pass = (tour { $n })
script-diff-expected = attendu
script-diff-came = reçu
script-diff-nothing = (rien)
script-end-passed = ✓ { $file } : joué jusqu'au bout, chaque étape comme écrite
script-end-failed = ✗ { $file } : le pair n'a pas suivi le script à la ligne { $line } (code de sortie 9)
script-end-failed-client = ✗ { $file } : le client n'a pas suivi le script à la ligne { $line }
script-end-failed-run = ✗ { $file }, passage { $run } : le pair n'a pas suivi le script à la ligne { $line }
script-end-passed-run = ✓ { $file }, passage { $run } : joué jusqu'au bout, chaque étape comme écrite
script-clients-failed = { $failed } { $failed ->
        [one] client sur { $played } n'a pas suivi
       *[other] clients sur { $played } n'ont pas suivi
    } le script { $file } (l'étape de chacun est affichée plus haut)
script-runs-failed = { $failed } { $failed ->
        [one] passage sur { $played } du script { $file } a échoué
       *[other] passages sur { $played } du script { $file } ont échoué
    } (l'étape de chacun est affichée plus haut)
script-read = lecture du script { $file }
closed-script-failed = le script s'est arrêté à la ligne { $line }

## La session en image (src/report/html, --html, --svg)

usage-html-where = --html et --svg sont pour tcp serve, tcp connect, udp serve, udp send et demo
html-title = netplay { $command } : la session
html-part = { $number }/3  { $title }
html-running = Exécution en cours : cette page est réécrite chaque seconde jusqu'à la fin.
html-over = L'exécution est finie : cette page est complète.
html-failed = L'exécution s'est terminée sur une erreur : { $error }
html-started = Commencée le { $date } (UTC).
html-hide-bytes = Masquer les octets
html-show-bytes = Montrer les octets
html-head-time = temps
html-head-beside = ce que chaque étape a rendu
html-lane-others = { $n } autres pairs
html-fold = × { $n }, { $bytes } en tout, jusqu'à { $until }
html-fold-count = × { $n }, jusqu'à { $until }
html-dump-cut = les { $shown } premiers de ses { $total } octets ; { $left } non affichés
html-python-left-out = la ligne Python qui envoie ces { $bytes } octets n'est pas sur la page (son littéral seul fait { $chars } caractères) : --explain l'affiche en entier dans le terminal
html-gap = { $rows } { $rows ->
        [one] ligne omise
       *[other] lignes omises
    } ici ({ $events } { $events ->
        [one] événement
       *[other] événements
    }, de { $from } à { $to }) : une partie garde ses { $head } premières lignes et ses { $tail } dernières.
html-left-out-title = Ce que cette page omet
html-left-out-nothing = Rien : chaque événement de l'exécution a sa ligne.
html-left-out-folded = { $n } { $n ->
        [one] événement
       *[other] événements
    } ({ $bytes }) regroupés en lignes avec un compte : après { $repeats } semblables à la suite (le même appel ou le même paquet sur la même ligne de vie), les suivants partagent une ligne, jusqu'à ce qu'autre chose arrive.
html-left-out-rows = { $rows } { $rows ->
        [one] ligne
       *[other] lignes
    } ({ $events } { $events ->
        [one] événement
       *[other] événements
    }) entre les { $head } premières et les { $tail } dernières d'une partie.
html-left-out-bytes = { $bytes } des morceaux montrés ne sont pas affichés en hexadécimal : un morceau montre ses { $chunk } premiers octets, et la page { $total } en tout.
html-left-out-peers = { $n } { $n ->
        [one] pair dessiné
       *[other] pairs dessinés
    } sur une ligne de vie commune : une partie dessine au plus { $max } lignes de vie de pairs.
html-left-out-packets = { $n } { $n ->
        [one] paquet
       *[other] paquets
    } hors de deux lignes de vie de cette page.
html-bound = Pour que la page reste facile à ouvrir quoi que l'exécution ait transféré (5 Mo au plus, comme pour un transfert de 1 Gio).
html-footer = Écrite par netplay { $version }. Un seul fichier : rien n'est chargé d'ailleurs ; le diagramme est en SVG, son texte peut être sélectionné et cherché.


## --help, construit à l'exécution à partir de ces messages (src/cli.rs) :
## un par sous-commande (about-CHEMIN) et par option (help-OPTION, ou
## help-CHEMIN-OPTION quand la même option dit autre chose), les exemples
## sous chacune, les codes de sortie. Les complétions et la page de
## manuel sont faites à partir de l'anglais.

about-netplay = Voir chaque étape de la socket et chaque octet : un terrain de jeu TCP/UDP et un outil de la famille de netcat
help-color = Quand colorer : auto (dans un terminal, sauf si NO_COLOR est défini, CLICOLOR=0 ou TERM=dumb ; CLICOLOR_FORCE=1 colore aussi un tube), always (toujours), never (jamais)
help-json = Un objet JSON par ligne et par événement sur stdout (voir docs/json-events.md)
help-raw = N'écrire sur stdout que les données reçues, telles quelles, comme nc. À la différence de nc, les étapes de la socket et les remarques vont encore sur stderr (-q : les erreurs seules). tcp serve sert les clients l'un après l'autre, udp send envoie l'entrée standard telle quelle, un datagramme par lecture, et udp serve l'envoie ainsi à l'émetteur du dernier datagramme, en ne la lisant qu'une fois un datagramme arrivé, comme nc -u -l (pas avec --echo, --reply ou --script)
help-explain = Sous chaque étape de la socket, la ligne Python du cours et ce qu'elle fait
help-packets = Sous les étapes de la socket, les paquets qu'elles mettent sur le réseau (SYN, ACK, FIN, RST, ICMP), en échelle entre client et serveur ; avec --json, des événements `packet`. Linux, avec CAP_NET_RAW
help-pcap = Écrire les paquets de l'exécution, entiers, dans FILE au format pcap (tcpdump -r FILE, Wireshark)
help-html = À la fin de l'exécution, et chaque seconde pendant qu'elle tourne, écrire la session dans FILE en une page HTML : un diagramme de séquence des appels de la socket (et des paquets, avec --packets), l'affichage hexadécimal de chaque morceau à côté de l'appel qui l'a déplacé, le Python de chaque étape avec --explain. Rien n'y est chargé d'ailleurs
help-svg = Écrire le diagramme de séquence seul dans FILE en SVG (pour des diapositives), à la fin de l'exécution et chaque seconde pendant qu'elle tourne
help-quiet = Seulement les connexions, les données et les erreurs : ni étapes de la socket, ni remarques (avec --raw : les erreurs seules)
help-decode = Décoder les octets avec un format struct de Python, comme struct.unpack : '>h' lit b'\x01\x02' comme (258,). En direct, chaque morceau ou datagramme est décodé depuis son début ; `netplay hex` décode des enregistrements consécutifs. Codes : x c b B ? h H i I l L q Q e f d s p (n N P en mode natif seulement), après un ordre des octets facultatif @ = < > !, avec des nombres de répétitions comme 4s ou 3h
help-columns = Faire tenir chaque ligne dans N colonnes, comme dans un terminal de cette largeur ; une ligne d'affichage hexadécimal garde au moins 8 octets (45 colonnes ; 54 dans la démo, avec son étiquette) (par défaut : la largeur du terminal ; dans un tube, COLUMNS s'il est défini, sinon des lignes entières, mais les lignes de --packets sont coupées à 80 colonnes avec …)
help-lang = La langue de ce que lisent les personnes : en ou fr (par défaut : LC_ALL, LC_MESSAGES ou LANG ; anglais sauf si c'est du français). Les sorties --json et --raw sont les mêmes dans toutes les langues
help-hex-renderer = Le code qui dessine l'affichage hexadécimal : auto (le plus rapide que ce processeur exécute), avx512 ou portable. Les deux dessinent les mêmes octets ; les mesures de vitesse le fixent (docs/benchmarks.md), il n'est donc pas affiché
help-legend = Afficher les couleurs et les glyphes de l'affichage hexadécimal, puis quitter
help-help = Afficher l'aide
help-version = Afficher la version
about-help = Afficher ce message ou l'aide des sous-commandes données
about-demo = TCP et UDP côte à côte en une commande : l'échange du cours dans chacun, puis un tableau de ce qui a différé, mesuré sur le moment
help-loss = Ajouter une ligne au tableau : les mêmes messages à travers une boucle locale qui perd PCT % des paquets (netem, dans un espace de noms réseau propre à la démo ; demande root, ip et tc)
help-delay = Avec cette ligne : chaque paquet est retardé de MS millisecondes (un nombre seul compte en millisecondes ; 0.1s marche aussi), 1000 au plus
help-step = Faire une pause avant chaque partie, jusqu'à un appui sur Entrée (quand stdin est un terminal ; sinon la démo le dit et continue)
about-tcp = TCP, le mode connecté : un flux d'octets entre deux extrémités
about-tcp-serve = Attendre des connexions TCP ; montrer chaque étape, chaque client et chaque octet
help-tcp-serve-host = L'adresse à laquelle associer la socket : 127.0.0.1 (cette machine seulement ; par défaut), 0.0.0.0 (toutes les interfaces IPv4), ::1, :: (toutes les interfaces IPv6 ; aussi IPv4 en double pile)
help-tcp-serve-port = Le port à associer ; 0 laisse le système choisir, et le port choisi est affiché
help-port-given = Le port, comme nc -l le prend : `netplay tcp serve 12345` vaut `--port 12345`
help-ipv4 = IPv4 seulement (AF_INET)
help-ipv6 = IPv6 seulement (AF_INET6) : un client n'essaie que les adresses IPv6 ; l'hôte par défaut d'un serveur devient ::1 (que les clients IPv4 ne peuvent pas joindre)
help-reuse-port = Activer SO_REUSEPORT avant bind : plusieurs sockets partagent un port
help-tcp-serve-recv-size = Les octets demandés à chaque appel recv, comme recv(1024) dans le cours (UDP : un datagramme plus long est coupé et le reste jeté). Des tailles comme 1024, 64K, 1MiB
help-tcp-serve-reuse-addr = SO_REUSEADDR est désormais le réglage par défaut de tcp serve : accepté, et ne change rien
help-backlog = La longueur de la file d'attente des connexions en attente d'accept(), comme dans listen(5). Le système peut la plafonner (Linux : net.core.somaxconn ; macOS : kern.ipc.somaxconn)
help-tcp-serve-echo = Renvoyer chaque morceau reçu à son expéditeur
help-tcp-serve-reply = Envoyer TEXT à un client après chaque morceau qu'il envoie (chaque recv(), pas chaque message : une requête de 300 Ko arrive en plusieurs morceaux ; voir --reply-once), comme le b"Bonjour client !" du cours. Lu comme -m le lit : "b'HTTP/1.0 200 OK\r\n\r\n'" est un littéral bytes de Python
help-half-close = Quand fermer à moitié (shutdown(SHUT_WR) : le pair lit EOF) une fois l'entrée finie : `data` (par défaut) après une entrée qui a envoyé au moins un octet, ou que Ctrl-D a finie dans un terminal, pour qu'un envoi se termine sans qu'une entrée vide (/dev/null) coupe jamais un téléchargement ; `always`, même après une entrée vide (nc -N) ; `never` (ncat --no-shutdown) : la connexion se termine quand le pair ferme
help-reply-once = Répondre une fois par connexion, après le premier morceau du client, au lieu d'après chacun
help-reply-file = La réponse est le contenu de ce fichier, n'importe quels octets (en UDP, un datagramme : une réponse DNS)
help-reply-hex = La réponse en hexadécimal, comme --hex la lit ("48 69 00" : trois octets, le dernier un NUL)
help-tcp-serve-once = Servir une connexion, puis quitter (8 si le client l'a réinitialisée). L'entrée standard, venue d'un tube ou d'un fichier, attend ce client et lui est envoyée entière ; puis --half-close dit quand le serveur ferme son sens d'envoi
help-broadcast = Relayer chaque morceau qu'envoie un client à tous les autres clients connectés (une discussion, comme ncat --broker) ; l'expéditeur le reçoit aussi avec --echo. Les lignes de l'entrée standard vont à tous les clients
help-max-conns = Servir au plus N clients à la fois ; au-delà, un nouveau client est accepté puis fermé aussitôt, et la raison est affichée
help-accept-delay = Attendre DUR avant chaque accept(), comme un serveur occupé : pendant ce temps les clients attendent dans la file d'attente, montrée à mesure qu'elle se remplit (avec un petit --backlog, au-delà aussi)
help-sequential = Servir un client à la fois, comme la boucle `while True: accept()` du cours : le client suivant attend dans la file d'attente jusqu'à la fermeture du client en cours. --raw le fait sauf avec --once ou --broadcast, comme nc -lk
help-idle-timeout = Fermer un client qui n'a rien envoyé pendant DUR (30s, 5m ; de 1ms à 7 jours)
help-tcp-serve-allow = N'accepter que les pairs de ce bloc d'adresses (10.0.0.0/8, ::1, 192.168.1.7) ; répétable. Les autres sont fermés aussitôt, et c'est affiché. Un bloc IPv4 correspond aussi à sa forme IPv4 mappée (::ffff:a.b.c.d sur une socket en double pile), et inversement. Un bloc lien-local peut nommer son lien : fe80::1%eth0 (ou %2, le numéro de l'interface) ne correspond à cette adresse que sur eth0 ; sans %zone il correspond sur tous les liens
help-tcp-serve-deny = Refuser les pairs de ce bloc d'adresses (mêmes formes que --allow) ; répétable ; l'emporte sur --allow
help-queue = Les octets qui peuvent attendre d'être envoyés à un client (1M, 64K). Un client qui lit lentement coûte au plus cela ; quand sa file est pleine, --slow s'applique
help-slow = Quand la file d'un client est pleine : attendre de la place (rien n'est perdu ; qui lui envoie va à son rythme), le déconnecter, ou abandonner le message pour lui et le garder connecté
help-stall-timeout = Couper un client qui ne prend aucune donnée pendant DUR alors que d'autres attendent sa file pleine (ou qu'il est tout ce qui reste à servir)
help-tcp-serve-script = Jouer les étapes de FILE avec chaque client au lieu de répondre : `< BYTES` attend exactement ces octets, `> BYTES` envoie, et d'autres encore (docs/scripts.md). Le verdict de chaque client est affiché ; code de sortie 9 avec --once quand le client ne suit pas, et à l'arrêt quand l'un d'eux ne l'a pas suivi. L'entrée standard n'est pas lue
help-tcp-serve-step-timeout = Chaque étape du --script attend au plus DUR (500ms, 2s, 1m ; 10s par défaut)
about-tcp-connect = Se connecter à un serveur TCP, envoyer l'entrée, montrer ce qui revient
help-tcp-connect-host = Le serveur : un nom ou une adresse, ou HÔTE:PORT, ou [IPv6]:PORT
help-tcp-connect-port = Le port du serveur, quand HOST ne le porte pas
help-messages = Le texte à envoyer ; à répéter pour plusieurs envois, chacun un appel send (un datagramme en UDP). Un littéral bytes de Python est lu comme Python le lit : -m "b'\x01\x02Hello'" envoie 7 octets
help-hex = Les octets à envoyer, écrits en hexadécimal ("01 02 ff", "\x01\x02", "0x01 0x02") ; à répéter pour plusieurs envois, mêlés aux -m dans l'ordre donné
help-tcp-connect-file = Envoyer le contenu de ce fichier (en UDP, en un seul datagramme)
help-tcp-connect-bind = L'adresse locale à associer avant de se connecter (le côté client de la connexion)
help-tcp-connect-source-port = Le port local à associer avant de se connecter, au lieu d'un port éphémère
help-timeout = Abandonner la connexion après DUR, et quand rien ne passe dans aucun sens pendant DUR (500ms, 2s, 1m ; de 1ms à 7 jours)
help-tcp-connect-recv-size = Les octets demandés à chaque appel recv, comme recv(1024) dans le cours. Des tailles comme 1024, 64K, 1MiB
help-no-shutdown = Ne jamais fermer à moitié : --half-close never, comme ncat --no-shutdown
help-tcp-connect-script = Jouer les étapes de FILE face au serveur au lieu d'envoyer l'entrée : `> BYTES` envoie, `< BYTES` attend exactement ces octets, et d'autres encore (docs/scripts.md). Code de sortie 9 quand le serveur ne suit pas ; --timeout est l'attente de chaque étape (10s par défaut)
help-udp-send-script = Jouer les étapes de FILE au lieu d'envoyer l'entrée : `> BYTES` envoie un datagramme, `< BYTES` attend que le datagramme suivant soit exactement ces octets, et d'autres encore (docs/scripts.md). Code de sortie 9 quand le pair ne suit pas
about-tcp-bench = Mesurer le débit TCP, de mémoire à mémoire, comme iperf3 : un émetteur et un récepteur
help-tcp-bench-host = Le récepteur à qui envoyer : un nom ou une adresse, ou HÔTE:PORT, ou [IPv6]:PORT
help-tcp-bench-port = Le port du récepteur, quand HOST ne le porte pas
help-serve = Recevoir : attendre les émetteurs sur --host et --port, l'un après l'autre (comme iperf3 -s)
help-local = Les deux côtés dans ce processus, par la boucle locale, sur un port que choisit le système
help-bind-host = Avec --serve : l'adresse à associer (par défaut 127.0.0.1 ; ::1 avec -6)
help-port-number = Avec --serve : le port à associer ; 0 laisse le système choisir, et le port choisi est affiché
help-tcp-bench-once = Avec --serve : recevoir d'un seul émetteur, puis quitter
help-time = Envoyer pendant DUR (500ms, 2s, 1m ; de 1ms à 24h). Par défaut : 10s, comme iperf3
help-bytes = Envoyer ce nombre d'octets au lieu d'envoyer pendant un temps donné (1G, 500M)
help-tcp-bench-size = Les octets de chaque appel send()
help-tcp-bench-recv-size = Les octets demandés à chaque appel recv() par le récepteur
about-udp = UDP, le mode non connecté : des datagrammes séparés, sans connexion
about-udp-serve = Recevoir des datagrammes UDP sur une seule socket, sans listen ni accept, et montrer chacun avec son expéditeur
help-udp-serve-host = L'adresse à laquelle associer la socket : 127.0.0.1 (cette machine seulement ; par défaut), 0.0.0.0 (toutes les interfaces IPv4), ::1, :: (toutes les interfaces IPv6 ; aussi IPv4 en double pile)
help-udp-serve-port = Le port à associer ; 0 laisse le système choisir, et le port choisi est affiché
help-udp-serve-recv-size = Les octets demandés à chaque appel recv, comme recv(1024) dans le cours (UDP : un datagramme plus long est coupé et le reste jeté). Des tailles comme 1024, 64K, 1MiB
help-udp-serve-reuse-addr = Activer SO_REUSEADDR avant bind. En UDP, qui n'a pas de TIME_WAIT, elle permet à plusieurs sockets qui l'activent toutes de s'associer à la même adresse et au même port ; sous Linux, la dernière associée reçoit les datagrammes
help-udp-serve-echo = Renvoyer chaque datagramme à son expéditeur (les octets gardés, s'il a été coupé)
help-udp-serve-reply = Envoyer TEXT à l'expéditeur de chaque datagramme, comme le b"Bonjour client !" du cours. Lu comme -m le lit : "b'\x00\x01'" est un littéral bytes de Python
help-udp-serve-once = Recevoir un datagramme (et y répondre), puis quitter ; avec --raw, l'entrée standard est la réponse : quitter une fois tout envoyé
help-answer-rate = Répondre à un même pair au plus N fois par seconde (une rafale de N, puis N par seconde) ; les datagrammes en trop sont montrés mais sans réponse, et c'est dit une fois par pair. Cela arrête une boucle entre deux serveurs qui répondent à tout, et borne un déluge vers une adresse falsifiée. 0 : pas de limite. Quel que soit le débit, le serveur ne répond jamais à sa propre adresse, au port 0, ni avec plus de 3 fois les octets qu'un pair a envoyés (une source falsifiée en ferait un amplificateur)
help-udp-serve-allow = Ne prendre les datagrammes que de ce bloc d'adresses (comme le --allow de tcp serve) ; répétable. Les autres sont ignorés : ni montrés, ni répondus, mais comptés. Une source UDP peut être falsifiée : cela garde les réponses loin des autres adresses, cela n'authentifie personne
help-udp-serve-deny = Ignorer les datagrammes de ce bloc d'adresses ; répétable ; l'emporte sur --allow
help-rcvbuf = Demander un tampon de réception de SIZE (SO_RCVBUF ; Linux le double, dans la limite de net.core.rmem_max) : un petit tampon montre les datagrammes rejetés quand il est plein, que le serveur compte alors
help-udp-serve-script = Jouer les étapes de FILE au lieu de répondre : `< BYTES` attend un datagramme d'exactement ces octets, de n'importe quel expéditeur, et `> BYTES` en envoie un à l'expéditeur du dernier datagramme reçu (docs/scripts.md). Rejoué pour le datagramme suivant ; avec --once, une fois. Code de sortie 9 avec --once quand le pair ne suit pas, et à l'arrêt quand un passage a échoué
help-udp-serve-step-timeout = Chaque étape du --script attend au plus DUR (500ms, 2s, 1m ; 10s par défaut) ; la première attend un datagramme tant que le serveur tourne
about-udp-send = Envoyer des datagrammes UDP (sendto), et avec --wait montrer les réponses
help-udp-send-host = Où envoyer : un nom ou une adresse, ou HÔTE:PORT, ou [IPv6]:PORT
help-udp-send-port = Le port, quand HOST ne le porte pas
help-udp-send-file = Envoyer le contenu de ce fichier (en UDP, en un seul datagramme)
help-stdin-datagram = Lire toute l'entrée standard comme un seul datagramme, au lieu d'un datagramme par ligne (sans son retour à la ligne ; avec --raw, un datagramme par lecture de l'entrée standard, tel quel, comme nc -u l'envoie)
help-udp-send-count = Envoyer l'entrée N fois
help-interval = Faire une pause de DUR entre deux datagrammes (500ms, 2s, 1m ; jusqu'à 7 jours)
help-wait = Continuer de recevoir les réponses pendant DUR après le dernier datagramme ; chacune est montrée avec son expéditeur. Par défaut : quitter aussitôt, en ne montrant que les réponses déjà arrivées. Jusqu'à 7 jours
help-connect = Utiliser une socket UDP connectée : send() et recv() au lieu de sendto() et recvfrom(). Le noyau rejette alors les datagrammes des autres adresses, et un ICMP port unreachable venu du pair est rapporté comme « connexion refusée » (code de sortie 4)
help-udp-send-bind = L'adresse locale à associer avant d'envoyer (l'adresse source des datagrammes)
help-udp-send-source-port = Le port local à associer avant d'envoyer, au lieu du port éphémère que choisit le système
help-udp-send-recv-size = Les octets demandés à chaque appel recv pour les réponses ; une réponse plus longue est coupée et le reste jeté. Des tailles comme 1024, 64K, 1MiB
about-udp-bench = Mesurer le débit UDP et les pertes, comme iperf3 -u : des datagrammes numérotés, comptés à l'arrivée
help-udp-bench-host = Le récepteur à qui envoyer : un nom ou une adresse, ou HÔTE:PORT, ou [IPv6]:PORT
help-udp-bench-port = Le port du récepteur, quand HOST ne le porte pas
help-udp-bench-once = Avec --serve : recevoir d'un seul émetteur, puis quitter
help-udp-bench-count = Envoyer ce nombre de datagrammes au lieu d'envoyer pendant un temps donné
help-udp-bench-size = Les octets de données de chaque datagramme, son en-tête de 16 octets (numéro de séquence) compris ; 1472 remplit une trame Ethernet de 1500 octets
help-rate = Le débit d'envoi en bits par seconde, comme iperf3 -b (500K, 100M, 1G) ; 0, c'est au plus vite
help-no-offload = Un send() et un recv() par datagramme, comme iperf3, au lieu de confier au noyau jusqu'à 64 datagrammes par appel (UDP_SEGMENT) et de les reprendre collés (UDP_GRO)
about-hex = Montrer un fichier ou l'entrée standard comme l'affichage hexadécimal en direct montre les octets (une capture faite avec --raw, n'importe quel fichier)
help-hex-file = Le fichier à montrer ; - ou rien lit l'entrée standard
help-length = Montrer au plus SIZE octets (des tailles comme 64, 4K, 1MiB, 0x100)
help-skip = Commencer à SIZE octets dans l'entrée (un déplacement dans un fichier ou un périphérique, des octets lus et jetés depuis un tube) ; les décalages comptent toujours depuis le début de l'entrée. Au-delà de la fin, rien ne s'affiche, une ligne sur stderr le dit, et le code de sortie est 0
help-width = Les octets par ligne : 8, 16 ou 32
help-no-squeeze = Montrer chaque ligne ; par défaut, une suite de lignes égales à celle du dessus s'affiche en un seul `*` (--decode désactive ce regroupement, pour que chaque enregistrement s'affiche)
about-completions = Écrire sur stdout un script de complétion pour votre shell (voir le README pour l'installer)
help-shell = Le shell à compléter
about-man = Écrire sur stdout la page de manuel de netplay (roff) : `netplay man | man -l -`
help-v6only-linux = IPV6_V6ONLY sur une socket IPv6 : false, c'est la double pile (les pairs IPv4 apparaissent comme ::ffff:a.b.c.d), true, c'est IPv6 seulement. Par défaut : la valeur du système (false sous Linux, sauf si net.ipv6.bindv6only vaut 1), montrée dans les étapes
help-v6only-macos = IPV6_V6ONLY sur une socket IPv6 : false, c'est la double pile (les pairs IPv4 apparaissent comme ::ffff:a.b.c.d), true, c'est IPv6 seulement. Par défaut : la valeur du système (false sous macOS), montrée dans les étapes
help-v6only-windows = IPV6_V6ONLY sur une socket IPv6 : false, c'est la double pile (les pairs IPv4 apparaissent comme ::ffff:a.b.c.d), true, c'est IPv6 seulement. Par défaut : la valeur du système (true sous Windows : IPv6 seulement), montrée dans les étapes
help-v6only-other = IPV6_V6ONLY sur une socket IPv6 : false, c'est la double pile (les pairs IPv4 apparaissent comme ::ffff:a.b.c.d), true, c'est IPv6 seulement. Par défaut : la valeur du système, montrée dans les étapes
help-no-reuse-addr-linux = Ne pas activer SO_REUSEADDR. tcp serve l'active par défaut, comme la std de Rust, tokio et l'asyncio de Python : sous Linux, elle permet à bind() de prendre un port que seules des connexions d'un serveur précédent occupent (en TIME_WAIT jusqu'à 60s après que ce serveur les a fermées), si ce serveur l'avait activée lui aussi ; elle ne permet jamais à deux sockets d'écouter sur la même adresse et le même port (SO_REUSEPORT le fait). Sans elle, un serveur relancé après avoir fermé des connexions échoue avec « adresse déjà utilisée » pendant 60s au plus : le piège du cours, montré
help-no-reuse-addr-unix = Ne pas activer SO_REUSEADDR. tcp serve l'active par défaut, comme la std de Rust et tokio : elle permet à un serveur relancé de s'associer à son port pendant que les connexions du précédent attendent en TIME_WAIT. Sans elle, le redémarrage échoue avec « adresse déjà utilisée » un moment : le piège du cours, montré
help-no-reuse-addr-windows = Ne pas activer SO_REUSEADDR : rien à faire sous Windows, où tcp serve ne l'active jamais (elle y permettrait à une autre socket de prendre le port pendant que le serveur l'utilise), et où un serveur relancé s'associe à côté de ses anciennes connexions sans elle
help-heading-output = Affichage (avant ou après la sous-commande)
help-heading-options = Options
help-heading-arguments = Arguments
help-heading-commands = Commandes
help-usage = Utilisation :
help-default = [par défaut : { $value }]
help-possible = [valeurs possibles : { $values }]
examples-demo =
    Exemples :
      netplay demo                           les trois parties, l'une après l'autre
      netplay demo --step --explain          pauses entre les parties ; le Python du cours sous chaque étape
      netplay demo --loss 10 --delay 50      une ligne de plus : boucle locale lente et qui perd (root, netem)
      netplay --json demo                    la même chose, un objet JSON par événement et par ligne
examples-tcp-bench =
    Exemples :
      netplay tcp bench --local                  émetteur et récepteur dans ce processus, 10 secondes
      netplay tcp bench --serve --port 5201      le récepteur (comme iperf3 -s)…
      netplay tcp bench 127.0.0.1 5201 -t 5s     … et l'émetteur (comme iperf3 -c)
      netplay --json tcp bench --local --bytes 1G
examples-udp-bench =
    Exemples :
      netplay udp bench --local --size 64        au plus vite : combien de datagrammes sont perdus ?
      netplay udp bench --local --rate 100M      à 100 Mbit/s
      netplay udp bench --serve --port 5201      le récepteur…
      netplay udp bench 127.0.0.1 5201 --count 10000 --rate 10M   … et l'émetteur
examples-udp-serve =
    Exemples :
      netplay udp serve                          datagrammes vers 127.0.0.1:12345, avec leur expéditeur
      netplay udp serve --reply 'Bonjour client !' --explain
      netplay udp serve --recv-size 8            un datagramme plus long est coupé : ce qui est jeté
      netplay udp serve --script dns-answer.np   répondre à dig, étape par étape
      netplay udp serve -6 --host :: --v6only false   double pile : IPv4 en ::ffff:a.b.c.d
examples-udp-send =
    Exemples :
      netplay udp send 127.0.0.1 12345 -m 'Hello serveur !' --wait 1s
      netplay udp send [::1]:12345 --hex '01 02 ff' --count 3 --interval 500ms
      netplay udp send --connect 127.0.0.1:9 -m ping --wait 1s   refusé : aucune socket n'y est associée
      netplay udp send 127.0.0.1 12345 --script ping.np          un datagramme par `>`, un par `<`
      printf 'one\ntwo\n' | netplay udp send 127.0.0.1 12345   un datagramme par ligne
      netplay --raw udp send 127.0.0.1 53 < query.bin     tel quel : un datagramme par lecture de l'entrée standard
examples-tcp-serve =
    Exemples :
      netplay tcp serve                          le serveur du cours sur 127.0.0.1:12345
      netplay tcp serve --reply 'Bonjour client !' --explain
      netplay tcp serve --port 0 --echo          un serveur d'écho sur un port que choisit le système
      netplay tcp serve --raw --once > out.bin   recevoir les octets d'une connexion, comme nc -l
      netplay tcp serve --raw --once < file      un fichier au premier client, comme nc -N -l < file
      netplay tcp serve --broadcast              une discussion : chaque client écrit aux autres
      netplay tcp serve --script course-server.np   vérifier chaque client, étape par étape
      netplay -q tcp serve --broadcast --host 0.0.0.0 --max-conns 10000 --idle-timeout 5m
examples-tcp-connect =
    Exemples :
      netplay tcp connect 127.0.0.1 12345 -m 'Hello serveur !'
      netplay tcp connect localhost:12345 --hex '01 02 ff'
      netplay tcp connect [::1]:12345 --file request.bin
      netplay tcp connect 127.0.0.1 12345 --script course-client.np   vérifier le serveur, pas à pas
      cat file | netplay tcp connect --raw 127.0.0.1:12345 > answer
examples-hex =
    Exemples :
      netplay hex capture.bin                    tout le fichier, les lignes répétées regroupées en *
      netplay hex -s 0x100 -n 64 capture.bin     64 octets à partir du décalage 256
      cat /dev/urandom | netplay hex | head      l'entrée standard, montrée à mesure qu'elle arrive
      netplay hex --decode '>h' data.bin         chaque paire d'octets en short gros-boutiste, comme
                                                 struct.iter_unpack('>h', data)
examples-completions =
    Exemples :
      netplay completions bash > ~/.local/share/bash-completion/completions/netplay
      netplay completions zsh > ~/.zfunc/_netplay          (avec fpath+=~/.zfunc avant compinit)
      netplay completions fish > ~/.config/fish/completions/netplay.fish
      netplay completions powershell >> $PROFILE
exit-table =
    Codes de sortie :
      0  succès (aussi quand la sortie est fermée tôt, comme par `| head`, une
         fois l'entrée toute envoyée)
      1  autre échec (par exemple un fichier illisible ; la sortie fermée tôt
         pendant que l'entrée était encore envoyée)
      2  ligne de commande fautive : option inconnue, valeur invalide, datagramme trop grand pour UDP
      3  nom d'hôte non résolu (ou aucune adresse dans la famille demandée)
      4  connexion refusée : rien n'écoute à cette adresse et ce port (UDP : { $refused })
      5  délai dépassé (--timeout)
      6  adresse déjà utilisée
      7  permission refusée ({ $privileged })
      8  connexion réinitialisée ou interrompue par le pair
      9  le pair n'a pas suivi le --script (d'autres octets, une fin de flux trop tôt,
         une réinitialisation, ou rien dans le délai d'une étape) : la ligne nomme l'étape
     10  le fichier d'entrée a rétréci pendant l'envoi (le pair a reçu un flux coupé)
exit-note-refused = avec --connect seulement
exit-note-refused-windows = Windows le rapporte avec ou sans --connect
exit-note-privileged = les ports en dessous de 1024 demandent des privilèges
exit-note-privileged-windows = un port que le système a réservé, ou tenu avec SO_EXCLUSIVEADDRUSE

## netplay nc : la ligne de commande de nc d'OpenBSD (src/cli/nc.rs)
about-nc = Fonctionner comme nc d'OpenBSD : ses options, son code de sortie (0 ou 1), sa sortie discrète ; -v montre les étapes de netplay et ses vidages hexadécimaux. `netplay nc -h` liste les options
examples-nc =
    Exemples :
      netplay nc -l 9000 > fichier            recevoir les octets d'une connexion (sur toutes les interfaces)
      netplay nc -N 192.0.2.7 9000 < fichier  envoyer un fichier, puis un FIN
      netplay nc -lk 127.0.0.1 9000           servir les clients l'un après l'autre
      netplay nc -zv 127.0.0.1 20-25          quels ports prennent une connexion ?
      netplay nc -u -w 1 127.0.0.1 53 < q.bin   un échange UDP, fini par une seconde de silence
help-nc-args = les options et opérandes de nc : netplay nc -h les liste
help-nc-ipv4 = Adresses IPv4 seulement
help-nc-ipv6 = Adresses IPv6 seulement
help-nc-crlf = Envoyer chaque fin de ligne de l'entrée standard en CR LF
help-nc-no-stdin = Ne pas lire l'entrée standard
help-nc-so-rcvbuf = Le tampon de réception à demander (SO_RCVBUF), en octets
help-nc-keep = Avec -l : une fois un client parti, accepter le suivant, un à la fois ; avec -u -l, prendre les datagrammes de tous les expéditeurs
help-nc-listen = Écouter une connexion (avec -u, un datagramme) au lieu de se connecter : sur toutes les interfaces, sauf si -s ou une adresse avant le port en nomme une
help-nc-shutdown = Fermer le côté envoi (shutdown(SHUT_WR), un FIN) quand l'entrée standard se termine
help-nc-numeric = Des adresses seulement : aucun nom d'hôte n'est résolu
help-nc-so-sndbuf = Le tampon d'envoi à demander (SO_SNDBUF), en octets
help-nc-source-port = Le port local : le port source du client, ou avec -l le port à écouter
help-nc-quit = Une fois l'entrée standard finie : -N, et avec -l ou -u, le pair a encore SECONDS pour finir, puis l'exécution se termine (code 0). Un nombre négatif ne change rien
help-nc-random = Avec -z et plusieurs ports : les essayer dans un ordre aléatoire
help-nc-source = L'adresse locale : l'adresse source du client, ou avec -l l'adresse à écouter
help-nc-udp = UDP au lieu de TCP
help-nc-verbose = Montrer les étapes des sockets de netplay, et le vidage hexadécimal de chaque morceau dans les deux sens, sur la sortie d'erreur ; la sortie standard reçoit toujours les octets reçus, tels quels
help-nc-wait = Abandonner la connexion après SECONDS, et finir quand rien n'a bougé pendant SECONDS (code 0)
help-nc-zero = Savoir seulement si quelque chose écoute : se connecter, puis fermer aussitôt, sans rien envoyer (TCP). Code 0 quand un port a pris la connexion
help-nc-destination = L'hôte où se connecter ; avec -l, le port à écouter, ou l'adresse puis le port
help-nc-ports = Le port ; avec -z, plusieurs, et des plages comme 20-30
nc-unsupported = { $flag } de nc ({ $what }) n'est pas pris en charge par netplay nc
nc-what-broadcast = les datagrammes en diffusion
nc-what-tls = TLS
nc-what-debug = SO_DEBUG, que Linux réserve à CAP_NET_ADMIN et dont TCP ne montre rien
nc-what-exec = lancer un programme sur la connexion
nc-what-fd = passer la socket à un autre programme
nc-what-interval = une pause entre les lignes
nc-what-ttl = les TTL et limites de sauts
nc-what-proxy = les proxys
nc-what-md5 = les signatures TCP MD5
nc-what-tos = le type de service
nc-what-telnet = la négociation telnet
nc-what-unix = les sockets du domaine Unix
nc-what-rtable = les tables de routage
nc-what-recvlimit = un nombre de lectures après lequel s'arrêter
nc-what-dccp = DCCP
nc-what-udp-probe = UDP n'a pas de connexion à sonder : nc -zu dit tous les ports ouverts ; netplay udp send --connect HÔTE PORT -m x --wait 1s voit un port fermé refuser
nc-unknown-flag = { $flag } n'est pas une option de nc (netplay nc -h les liste)
nc-missing-port = pas de port après { $host } : netplay nc HÔTE PORT
nc-listen-port = pas de port à écouter : netplay nc -l PORT, ou -l -p PORT
nc-operands = ces opérandes ne suivent pas l'usage de nc : netplay nc [-46CdhklNnruvz] [-I longueur] [-O longueur] [-p port] [-q secondes] [-s adresse] [-w secondes] [destination] [port]
nc-z-with-l = -z et -l ne vont pas ensemble : -z se connecte, -l écoute
nc-k-without-l = -k garde un serveur qui écoute : il lui faut -l
nc-numeric-name = -n : { $host } n'est pas une adresse, et avec -n aucun nom n'est résolu
nc-bad-port = port { $text } : { $why }
nc-ports-need-z = plusieurs ports, c'est pour -z, qui ne fait que les sonder ; pour échanger des octets, en donner un
nc-seconds-bad = { $text } n'est pas un nombre entier de secondes
nc-netplay-flag = { $flag } n'est pas pour netplay nc, qui écrit ce qu'écrit nc (-v ajoute les étapes de netplay) ; les sous-commandes natives le prennent (netplay tcp connect, tcp serve, udp send, udp serve)
