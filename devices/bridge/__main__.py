import sys

from devices.bridge.cli import main

sys.exit(main())
