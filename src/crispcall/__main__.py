from crispcall.cli.main import main

raise SystemExit(main())
