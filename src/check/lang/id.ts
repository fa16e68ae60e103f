/**
 * Everything the checker writes, in Bahasa Indonesia, in the words of
 * docs/lab.id.md: pemeriksaan, balasan, pesan, koneksi, rapor; server,
 * client, port, newline, TCP and UDP stay as Indonesian labs say them.
 * @module
 */
import type { Catalogue } from "./en.ts";

/** The checker's texts in Bahasa Indonesia. */
export const ID: Catalogue = {
  meta: {
    htmlLang: "id",
  },
  status: { passed: "LULUS", failed: "GAGAL", notRun: "DILEWATI" },
  cell: { passed: "lulus", failed: "GAGAL", notRun: "dilewati" },
  label: {
    result: "hasil",
    note: "catatan",
    sent: "dikirim",
    received: "diterima",
    expected: "diharapkan",
    why: "sebab",
  },
  card: {
    head: "pemeriksaan socklab untuk {url}{overTls} ({framing}--expect {expect})",
    overTls: " lewat TLS",
    framing: "framing {framing}, ",
    cannotCheck: "tidak bisa diperiksa: {error}",
    notRun: "tidak dijalankan: {detail}",
    more: "... dan {count} lagi",
    summary: "{passed} lulus, {failed} gagal, {notRun} tidak dijalankan: {verdict}",
    allPassed: "semua pemeriksaan lulus",
    notChecked: "server tidak bisa diperiksa",
    seeWhy: "lihat \"sebab\" di bawah setiap GAGAL",
  },
  wire: {
    nothing: "tidak ada",
    oneByte: "(1 byte)",
    bytes: "({count} byte)",
    hex: "hex",
  },
  noun: {
    reply: "balasan",
    replies: "balasan",
    datagram: "datagram",
    datagrams: "datagram",
  },
  about: {
    reply: "satu pesan mendapat satu balasan",
    reconnect: "{clients} client, satu demi satu, masing-masing dijawab",
    sequence:
      "{count} pesan dalam satu koneksi, dikirim satu per satu, masing-masing dibalas, berurutan",
    split:
      "pesan yang ditulis dalam {pieces} potongan dengan jeda mendapat balasan yang sama seperti ditulis utuh",
    pipelined:
      "{count} pesan dalam satu write mendapat balasan yang sama seperti jika dikirim satu per satu",
    large: "pesan 16 KiB mendapat balasannya secara utuh",
    halfClose: "setelah balasan, FIN dari client membuat server menutup sisinya",
    concurrent: "client kedua dijawab selagi client pertama tetap terhubung dan diam",
    crosstalk:
      "client yang bicara setelah client yang lebih baru terhubung mendapat balasannya sendiri, dan hanya itu",
    reset: "setelah sebuah client me-reset koneksinya di tengah pesan, client baru tetap dijawab",
    udpReply: "satu datagram mendapat satu balasan, dari alamat yang dituju",
    udpTwoClients:
      "dua client di port berbeda masing-masing mendapat balasannya sendiri, di alamatnya sendiri",
    udpLarge: "datagram {bytes} byte kembali utuh",
  },
  evidence: {
    client: "client {n}: ",
    udpClient: "client {n} (port {port}): ",
    piece: "potongan {n}: ",
    oneWrite: "satu write: ",
    fin: "FIN",
    silentFirst: "client 1: terhubung dan tidak mengirim apa pun",
    bothConnect: "client 1, lalu client 2: terhubung",
    reset: "client 1: RST (koneksi di-reset)",
  },
  battery: {
    needs: "{check} harus lulus lebih dulu",
    timeUp: "batas waktu seluruh pemeriksaan, {seconds} detik, sudah habis",
    serverGone: "server tidak lagi menerima koneksi ({reason})",
    serverGoneSince: "server tidak lagi menerima koneksi ({reason}) sejak pemeriksaan {check}",
    checkFailed: "pemeriksaannya sendiri gagal: {error}",
  },
  unreachable: {
    tlsFailed: "handshake TLS gagal",
    untrusted: "sertifikat server tidak dipercaya",
    cannotReach: "server tidak bisa dihubungi",
    speaksTls: "server ini memakai TLS: periksa dengan --tls",
  },
  missing: {
    stoppedReading:
      "{what}: server mengirim {bytes} byte tanpa satu balasan pun yang utuh, dan pemeriksaan berhenti membaca",
    timeout: "{what} dalam {seconds}",
    timeoutPartial:
      "{what} dalam {seconds} ({bytes} byte datang, tetapi tidak ada balasan yang utuh)",
    closedFirst: "{what}: server lebih dulu menutup koneksi",
    resetFirst: "{what}: server lebih dulu me-reset koneksi",
  },
  detail: {
    noReply: "tidak ada balasan",
    repliesForOne: "{replies} datang untuk 1 pesan",
    repliesForOneSecondEmpty: "{replies} datang untuk 1 pesan, yang kedua kosong",
    oneReply: "1 balasan: {reply}",
    reconnectRefused:
      "client {n} dari {total} tidak bisa terhubung setelah client sebelumnya pergi: {reason}",
    reconnectNoReply: "client {n} dari {total} tidak mendapat balasan",
    reconnectPassed: "semua {total} client dijawab",
    noReplyToMessage: "tidak ada balasan untuk pesan {n}",
    repliesForMessages: "{replies} datang untuk {count} pesan",
    replyNumbered: "balasan {n}: {why}",
    inOrder: "{count} balasan, berurutan",
    sameReplies: "{replies}, sama dengan yang didapat {how}",
    repliesCameOtherGot: "{replies} datang; {how} mendapat {count}",
    replyDiffers: "balasan {n} berbeda dengan yang didapat {how}",
    howWhole: "pesan yang sama bila ditulis utuh (pemeriksaan reply)",
    howOneAtATime: "pesan-pesan yang sama bila dikirim satu per satu (pemeriksaan sequence)",
    noWholeReply: "tidak ada balasan utuh untuk {bytes} byte",
    largeReplies: "{replies} datang untuk 1 pesan sebesar {bytes} byte",
    largePassed: "1 balasan sebesar {bytes} byte",
    keptSending:
      "server terus mengirim setelah FIN dari client ({bytes} byte seluruhnya) dan tidak menutup koneksi",
    notClosed: "server tidak menutup koneksi dalam {seconds} setelah FIN dari client",
    closedAfterFin: "server menutup koneksi setelah FIN",
    secondNotConnected: "client kedua tidak bisa terhubung: {reason}",
    secondNoReply: "client kedua tidak mendapat balasan",
    whileFirstConnected: "{detail} selagi client pertama tetap terhubung",
    cameLate: "{detail}; balasannya baru datang setelah client 1 menutup koneksi",
    secondAnswered: "client kedua dijawab",
    newNotConnected: "client baru tidak bisa terhubung setelah reset: {reason}",
    newNoReply: "client baru tidak mendapat balasan setelah reset",
    newAnswered: "client baru dijawab setelah reset",
    crossedToOlder:
      "balasan untuk client 2 datang di koneksi client 1, dan client 2 tidak mendapat apa pun",
    newerNoReply: "client 2 tidak mendapat balasan selagi client 1 terhubung",
    olderGotNewers: "client 1 juga mendapat balasan untuk client 2, padahal belum mengirim apa pun",
    crossedToNewer:
      "balasan untuk client 1 datang di koneksi client 2, dan client 1 tidak mendapat apa pun",
    olderNoReply: "client 1 tidak mendapat balasan setelah client 2 terhubung dan dijawab",
    newerGotOlders: "client 2 juga mendapat balasan untuk client 1",
    repliesForItsOne: "{label}{replies} datang untuk 1 pesannya",
    ownRepliesOnly:
      "setiap client mendapat balasannya sendiri, dan tidak menerima apa pun milik client lain",
  },
  udp: {
    flooded: "{received} datagram kembali untuk {sent} yang dikirim, dan client berhenti membaca",
    noReplyWithin: "tidak ada balasan dalam {seconds}",
    otherSender: "balasan datang dari {host} port {port}",
    oneReply: "1 balasan",
    wentToFirst:
      "balasan untuk client 2 dikirim ke alamat client 1 (port {first}), bukan ke port {second}",
    firstGotBoth:
      "client 1 juga mendapat balasan untuk client 2 ({count} datagram untuk 1 datagramnya)",
    ownReplies: "setiap client mendapat balasannya sendiri",
    largeNotCompared:
      "1 balasan sebesar {bytes} byte (tidak dibandingkan: server menjawab dengan kata-katanya sendiri)",
    largeWhole: "1 balasan sebesar {bytes} byte, utuh",
  },
  expect: {
    echo: "pesan kembali tanpa perubahan",
    upper: "pesan dalam huruf besar",
    likeFirst: ", seperti yang dilakukan server pada pesan pertama",
    flag: " (sesuai --expect {name})",
    mismatch: "seharusnya {what}{why}",
    mismatchSized: "seharusnya {what}{why}: {expected} byte, yang datang {got}",
    asciiOnly:
      "hanya A-Z yang dijadikan huruf besar: {letters} kembali tanpa perubahan, padahal huruf besarnya {upper} (seperti --mode upper milik socklab); server Anda meng-upper-case byte: decode dulu, upper-case teksnya, lalu encode (line.decode().upper().encode())",
  },
  framing: {
    readLine: "membaca sampai newline",
    readLength: "membaca panjang yang 4 byte, lalu tepat sebanyak itu byte",
    endingLine: "yang diakhiri \\n",
    endingLength: "di belakang panjangnya sendiri yang 4 byte big-endian",
  },
  hint: {
    noReply:
      "server Anda tidak menjawab: server harus {read} lalu mengirim satu balasan {ending} (apakah server membaca dari koneksi ini, dan apakah ia mengirim dengan sendall()?)",
    noNewlineLine: "balasan server Anda tidak diakhiri newline: kirim balasannya diikuti \\n",
    noNewlineLength:
      "balasan server Anda lebih pendek daripada yang disebut prefiks panjangnya: kirim panjang 4 byte, lalu seluruh balasannya",
    closedWithoutReply:
      "server Anda menutup koneksi sebelum membalas: server harus {read}, mengirim balasan, dan baru menutup koneksi ketika recv() mengembalikan b'' (FIN dari client)",
    extraReplies:
      "server Anda mengirim lebih dari satu balasan untuk satu pesan (salam pembuka, atau satu balasan per recv()?): kirim tepat satu balasan {ending} per pesan",
    keptNewline:
      "balasan server Anda masih diakhiri newline dari request, sehingga diikuti baris kosong: buang dulu newline itu (line.rstrip(b\"\\n\")), lalu tambahkan satu \\n ke balasannya",
    unreadableLine:
      "balasan server Anda tidak bisa dibaca sebagai baris (terlalu panjang, atau sama sekali bukan baris UTF-8): apakah server memakai --framing length?",
    unreadableLength:
      "balasan server Anda tidak bisa dibaca sebagai frame berprefiks panjang: apakah server memakai baris (hilangkan --framing length)?",
    wrongContent: "balasan server Anda tidak sesuai dengan --expect: bandingkan dua baris di atas",
    exitsAfterOneClient:
      "server Anda berhenti menerima koneksi setelah sebuah client pergi: taruh accept() di dalam loop dan biarkan socket yang mendengarkan tetap terbuka",
    closesAfterOneMessage:
      "server Anda menutup koneksi setelah satu pesan: teruslah membaca dalam loop sampai recv() mengembalikan b'' (FIN dari client)",
    stopsAnswering:
      "server Anda berhenti menjawab setelah pesan pertama di satu koneksi: pakai loop, setiap kali {read}, dan balas setiap pesan",
    recvAsMessage:
      "server Anda menganggap setiap recv() sebagai satu pesan; TCP adalah aliran byte: server harus {read}, dan menyimpan sisanya untuk pesan berikutnya",
    notWhole:
      "server Anda tidak mengirim balik seluruh pesan besar: satu recv() hanya mengembalikan sebagiannya, jadi server harus {read}; dan kirim dengan sendall(), bukan send()",
    ignoresFin:
      "server Anda tidak pernah menutup koneksi setelah FIN dari client: ketika recv() mengembalikan b'', client sudah selesai, jadi tutup socket-nya",
    oneClientAtATime:
      "server Anda melayani satu client pada satu waktu: selama menunggu client pertama, client kedua tidak dijawab; pakai satu thread per client (threading, socketserver.ThreadingTCPServer) atau selectors/asyncio",
    diesOnReset:
      "server Anda berhenti menjawab setelah sebuah client me-reset koneksinya: tangkap ConnectionResetError (OSError) di sekitar recv() dan send() untuk client itu, tutup koneksinya, dan terus layani client lain",
    crossedReplies:
      "server Anda mengirim balasan di koneksi client lain: balas lewat socket tempat pesan itu masuk, bukan lewat variabel bersama (conn global yang oleh accept() sudah diarahkan ke client terbaru, atau daftar semua client)",
  },
  udpHint: {
    noReply:
      "server Anda tidak menjawab: server harus recvfrom() datagram itu lalu sendto() balasannya ke alamat yang dikembalikan recvfrom(); pastikan server mendengarkan di port ini",
    portUnreachable:
      "tidak ada yang mendengarkan di port UDP itu (ICMP port unreachable): jalankan server Anda, atau periksa --host dan --port",
    wrongSender:
      "balasan datang dari alamat atau port yang berbeda dengan tujuan datagram: balas dari socket yang menerimanya, karena client yang memakai connect() akan membuang balasan itu",
    firstPeerOnly:
      "server Anda mengirim setiap balasan ke client pertama yang didengarnya: balas dengan sendto(reply, addr) ke addr yang dikembalikan recvfrom() bersama datagram itu sendiri",
    truncated:
      "server Anda membaca datagram dengan buffer yang lebih kecil daripada datagramnya, dan sisanya hilang: panggil recvfrom(65535)",
    truncatedOrTooLarge:
      "server Anda membaca datagram dengan buffer yang lebih kecil daripada datagramnya, dan sisanya hilang: panggil recvfrom(65535) (atau server tidak bisa mengirim balasan sebesar ini)",
    wrongContent: "balasan server Anda tidak sesuai dengan --expect: bandingkan dua baris di atas",
    extraReplies:
      "server Anda mengirim lebih dari satu datagram untuk satu datagram: kirim tepat satu balasan",
    toEveryPeer:
      "server Anda mengirim setiap balasan ke semua client yang pernah didengarnya: kirim setiap balasan hanya dengan sendto(reply, addr), ke addr yang dikembalikan recvfrom() bersama datagram itu sendiri",
  },
  reason: {
    refused: "ditolak",
    noHost: "host tak dikenal",
    timeout: "timeout",
    noRoute: "tak ada rute",
    tls: "tls",
    error: "error",
  },
  table: {
    student: "mahasiswa",
    server: "server",
    total: "total",
    unreachable: "tak terjangkau ({reason})",
    passedOf: "{passed}/{total} lulus",
    legend:
      "lulus / GAGAL / dilewati (tidak dijalankan: pemeriksaan sebelumnya yang dibutuhkannya gagal); - server tidak terjangkau",
    classLine: "kelas: {outcome} ({seconds} detik)",
    everyonePassed: "setiap mahasiswa lulus semua pemeriksaan",
    outcome:
      "{perfect} dari {all} lulus semua pemeriksaan, {failing} gagal di beberapa pemeriksaan, {unreachable} tak terjangkau",
    checking: "memeriksa {count} server, {parallel} sekaligus...",
    checked: "selesai {done}/{total}: {name}",
    stoppedEarly: "berhenti sebelum putaran pertama selesai: belum ada mahasiswa yang dinilai",
  },
  html: {
    title: "pemeriksaan socklab untuk kelas ({protocol}, --expect {expect})",
    checkedAt: "Diperiksa {time}.",
    clickName: "Klik sebuah nama untuk melihat rapor mahasiswa itu.",
    sentAndReceived: "dikirim dan diterima",
    cannotCheck: "tidak bisa diperiksa:",
    backToClass: "kembali ke tabel kelas",
  },
};
