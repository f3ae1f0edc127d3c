"""Write the .htaccess of https://w3id.org/paradiplomacy/ (paradiplomacy.w3id) for a public server.

Usage: python scripts/w3id_htaccess.py SERVER_URL [RELEASES_URL] > w3id/.htaccess

SERVER_URL is the server's public URL (its PARADIPLOMACY_PUBLIC_URL); RELEASES_URL, where the
directories that `paradiplomacy release` writes are published (one per version). The file then goes
to the w3id.org repository as paradiplomacy/.htaccess (docs/releases.md).
"""

import sys

from paradiplomacy.w3id import htaccess

if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    sys.stdout.write(htaccess(*sys.argv[1:]))
