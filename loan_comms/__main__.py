from loan_comms.cli.root import main

if __name__ == "__main__":   # not when a spawned worker process (Dask, multiprocessing) re-imports it as __mp_main__
    main()
