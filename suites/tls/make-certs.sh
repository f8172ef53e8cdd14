#!/bin/sh
# make-certs.sh DIR: test certificates for the TLS suites, made with
# Debian's openssl into DIR (which must exist):
#   ca.pem                  the test CA (trusted with --cacert / cacert)
#   server.pem, server.key  127.0.0.1 and localhost, signed by ca.pem
#   other-ca.pem            a second CA
#   rogue.pem, rogue.key    127.0.0.1 and localhost, signed by other-ca.pem
#   wrongname.pem/.key      only other.example, signed by ca.pem
#   expired.pem/.key        127.0.0.1 and localhost, signed by ca.pem, expired in 2020
# EC P-256 keys: quick to make on a loaded machine.
set -eu
d=$1
cd "$d"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
ca() { # name cn
  key "$1.key"
  openssl req -x509 -new -key "$1.key" -out "$1.pem" -days 2 -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}
leaf() { # name ca san [startdate enddate]
  key "$1.key"
  openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$1"
  printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$3" > "$1.ext"
  if [ $# -ge 5 ]; then
    # Past dates need `openssl ca` (x509 -req has no start date in 3.0).
    mkdir -p "ca-$1" && : > "ca-$1/index.txt"
    cat > "ca-$1/ca.cnf" <<CNF
[ca]
default_ca = d
[d]
database = ca-$1/index.txt
new_certs_dir = ca-$1
serial = ca-$1/serial
default_md = sha256
policy = p
copy_extensions = none
[p]
commonName = supplied
CNF
    echo 01 > "ca-$1/serial"
    openssl ca -batch -config "ca-$1/ca.cnf" -cert "$2.pem" -keyfile "$2.key" -in "$1.csr" \
      -out "$1.pem" -startdate "$4" -enddate "$5" -extfile "$1.ext" -notext 2>/dev/null
  else
    openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -out "$1.pem" \
      -days 2 -extfile "$1.ext" 2>/dev/null
  fi
}
ca ca "mockkit test CA"
ca other-ca "mockkit other CA"
leaf server ca "IP:127.0.0.1,DNS:localhost"
leaf rogue other-ca "IP:127.0.0.1,DNS:localhost"
leaf wrongname ca "DNS:other.example"
leaf expired ca "IP:127.0.0.1,DNS:localhost" 20200101000000Z 20200102000000Z
# CivetWeb's ssl_certificate takes key and certificate in one file.
for n in server rogue wrongname expired; do cat "$n.key" "$n.pem" > "$n-both.pem"; done
