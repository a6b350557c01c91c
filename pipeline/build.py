"""`python -m pipeline.build` trains a GAN, exports its generator to TF.js and evaluates it.

Its flags are parsed in pipeline.options. Exit status, by exception type: 0 done; 1 training
diverged or the export failed its check (TrainingDiverged, ExportError); 2 bad input, nothing
trained or written (UsageError, DataError, CheckpointError, ExportTargetError, OSError); 130
interrupted, a checkpoint was written (TrainingInterrupted).
"""

from __future__ import annotations

import shlex
import shutil
import sys
import time
from pathlib import Path

from pipeline.cli import USAGE_STATUS, UsageError, one_line
from pipeline.config import BuildConfig
from pipeline.options import Command, parse_command


def run(config: BuildConfig, explicit: set[str], log=print, tensorboard: Path | None = None) -> dict:
    """The main job; returns the written metadata. Raises the pipeline's one-line exceptions.

    With --distribute multiworker, only the chief writes --run-dir and --out; another worker
    trains with it, keeps nothing (pipeline.cluster) and returns {} after training.
    """
    from pipeline import cluster, contract, data, export, files, timeline, train

    started = time.monotonic()
    job = cluster.Job(config.train.distribute, log)  # first: the devices are set before any TensorFlow op
    if job.chief:
        export.check_writable(config.out)

    train_digits, heldout = data.load_training(
        config.data, config.eval_data, log=log, dataset=config.dataset, ink=config.ink, skip_bad=config.skip_bad
    )
    log(f"training data: {train_digits.source}; {len(train_digits):,} images")
    log(f"held-out data: {heldout.source}; {len(heldout):,} images")
    model_config, state = train.settle(
        config.model, train_digits, config.run_dir, config.resume, explicit, config.train.seed
    )
    if config.resume:
        log(f"checkpoint: {model_config.variant}, latent {model_config.latent_dim}, epoch {state.epoch}")

    with job.training(config.run_dir, config.resume, tensorboard) as (run_dir, tensorboard_dir):
        result = train.train(
            model_config, config.train, train_digits, run_dir, config.resume, log, tensorboard_dir, state
        )
        # Every worker reads the weights out of the distributed model (a collective), so the chief
        # can export and evaluate them alone.
        generator, discriminator = job.local(result.generator), job.local(result.discriminator)
    if not job.chief:
        steps = len(result.state.history["batch"].get("d_loss", []))
        log(
            f"{job.worker.name} done: epoch {result.state.epoch}, {steps} steps and "
            f"{result.state.images_seen:,} images in all; the chief exports"
        )
        return {}

    with files.StagedFolder(config.out) as stage:
        reloaded, differences = export.write_generator(generator, stage.path, model_config, config.quantize, log)
        critic = None
        if discriminator is not None:
            _, critic_differences, critic_quantize = export.write_discriminator(
                discriminator, generator, stage.path, model_config, config.quantize, log
            )
            critic = contract.discriminator_entry(
                discriminator, stage.path, model_config, critic_quantize, critic_differences
            )
        evaluation = score = None
        if config.evaluate and not train_digits.num_classes:
            log("evaluation skipped: the judge's metrics need labelled images (one subfolder per class)")
        elif config.evaluate:
            from pipeline.evaluate import evaluate_export, headline

            evaluation = evaluate_export(
                reloaded, model_config, train_digits, heldout, config.eval_samples, config.train.seed, log
            )

            def score(snapshot) -> dict:
                scores = evaluate_export(
                    snapshot, model_config, train_digits, heldout, timeline.SCORE_SAMPLES, config.train.seed, _quiet
                )
                return headline(scores)

        run_dir, history = result.report_dir.parent, result.state.history
        quantize = config.quantize
        timeline_entry = timeline.ship(generator, run_dir, stage.path, model_config, quantize, history, score, log)
        shutil.copytree(result.report_dir, stage.path / "report")
        training = dict(result.summary, created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        content = contract.metadata(
            model_config,
            generator,
            stage.path,
            config.quantize,
            differences,
            training,
            evaluation,
            dataset=config.dataset,
            name=config.out.name,
            class_names=getattr(train_digits, "class_names", None) or None,
            discriminator=critic,
            timeline=timeline_entry,
        )
        contract.write_metadata(stage.path, content)
        stage.commit()
    contract.update_index(config.out.parent)
    log(
        f"exported {model_config.variant} generator to {config.out} ({content['model_bytes'] / 1e6:.2f} MB) "
        f"in {time.monotonic() - started:.0f}s; report: {config.out / 'report' / 'README.md'}"
    )
    if evaluation and "upscaled" in evaluation:
        u, b = evaluation["upscaled"], evaluation["bicubic"]
        log(
            f"quality: PSNR {u['psnr']:.2f} dB (bicubic {b['psnr']:.2f}), "
            f"SSIM {u['ssim']:.3f} (bicubic {b['ssim']:.3f}), "
            f"judge accuracy {u['judge_accuracy']:.3f} (bicubic {b['judge_accuracy']:.3f}, "
            f"originals {evaluation['original']['judge_accuracy']:.3f})"
        )
    elif evaluation:
        g, r = evaluation["generated"], evaluation["real"]
        log(
            f"quality: FID {g['fid']:.2f} (real floor {r['fid']:.2f}), confident {g['confident_fraction']:.3f}, "
            f"precision {g['precision']:.3f}, recall {g['recall']:.3f}"
            + (f", label accuracy {g['label_accuracy']:.3f}" if g.get("label_accuracy") is not None else "")
        )
    return content


def _quiet(message: str) -> None:
    pass


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        command = parse_command(argv)
    except UsageError as error:
        return _fail(error)
    for note in command.notes:
        _say(note)
    from pipeline.quiet import quiet_tensorflow

    with quiet_tensorflow(command.verbose):  # before anything imports TensorFlow
        return _run(command, argv)


def _run(command: Command, argv: list[str]) -> int:
    """Run the build -> exit status; every failure is one line on stderr (statuses in the module docstring)."""
    from pipeline.checkpoints import CheckpointError
    from pipeline.data import DataError
    from pipeline.export import ExportError, ExportTargetError
    from pipeline.train import TrainingDiverged, TrainingInterrupted

    try:
        run(command.config, command.explicit, log=_say, tensorboard=command.tensorboard)
    except (UsageError, DataError, CheckpointError, ExportTargetError) as error:
        return _fail(error)
    except (ExportError, TrainingDiverged) as error:  # the run happened and failed a check
        return _fail(error, status=1)
    except TrainingInterrupted as error:
        again = [a for a in argv if a != "--resume"] + ["--resume"]
        print(f"{error}; resume with: python -m pipeline.build {shlex.join(again)}", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("aborted; the last checkpoint and the export are untouched", file=sys.stderr)
        return 130
    except OSError as error:  # a full disk, a permission lost mid-run: say what and where
        where = f"{error.filename}: " if error.filename else ""
        return _fail(f"{where}{error.strerror or error}")
    return 0


def _say(message: str) -> None:
    print(message, flush=True)  # line by line even into a pipe: progress is visible as it happens


def _fail(message: object, status: int = USAGE_STATUS) -> int:
    print(f"error: {one_line(message)}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
